import ExampleApps
import Foundation
import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("example applications")
struct ExampleAppsTests {
    @Test(arguments: ServerKind.allCases)
    func hello(kind: ServerKind) throws {
        try withServer(kind, app: helloApp) { _, client throws in
            #expect(try client.get("/").text == "Hello, world!\n")
            #expect(try client.get("/?you").text == "Hello, you!\n")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func staticServesFilesWithGzipAndTheAccessLog(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("static-app")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let page = compressibleText(100_000)
        try writeFile(root + "/page.txt", Array(page.utf8))
        try withServer(kind, app: staticApp(root: root)) { _, client throws in
            let compressed = try client.get("/page.txt", headers: [("Accept-Encoding", "gzip")])
            #expect(compressed.status == 200)
            #expect(compressed.header("Content-Encoding") == "gzip")
            #expect(compressed.header("Cache-Control") == "public, max-age=60")
            #expect(try pythonGunzip(compressed.body) == Array(page.utf8))
            let plain = try client.get("/page.txt")
            #expect(plain.header("Content-Length") == "100000")
            #expect(plain.text == page)
            #expect(try client.get("/nothing").status == 404)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func uploadShowsTheFormAndDigestsFiles(kind: ServerKind) throws {
        try withServer(kind, app: uploadApp()) { _, client throws in
            let form = try client.get("/")
            #expect(form.text.contains("enctype=\"multipart/form-data\""))
            #expect(form.text.contains("type=\"file\""))
            let boundary = "b0undary"
            let body = Array("""
                --b0undary\r
                Content-Disposition: form-data; name="note"\r
                \r
                hi there\r
                --b0undary\r
                Content-Disposition: form-data; name="file"; filename="abc.txt"\r
                Content-Type: text/plain\r
                \r
                abc\r
                --b0undary--\r

                """.utf8)
            let response = try client.request("POST", "/", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
            #expect(response.status == 200)
            #expect(response.text == """
                field note = hi there
                file file: name=abc.txt size=3 sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad

                """)
            let broken = try client.request("POST", "/", headers: [("Content-Type", "multipart/form-data; boundary=x")], body: Array("--x\r\n".utf8))
            #expect(broken.status == 400)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func apiCreatesReadsUpdatesAndDeletes(kind: ServerKind) throws {
        try withServer(kind, app: itemsAPI()) { _, client throws in
            let json = [("Content-Type", "application/json")]
            #expect(try client.get("/items").text == "[]\n")
            let created = try client.request("POST", "/items", headers: json, body: Array(#"{"name":"pen","quantity":3}"#.utf8))
            #expect(created.status == 201)
            #expect(created.header("Location") == "/items/1")
            #expect(created.text == #"{"id":1,"name":"pen","quantity":3}"# + "\n")
            #expect(try client.get("/items/1").text == #"{"id":1,"name":"pen","quantity":3}"# + "\n")
            let updated = try client.request("PUT", "/items/1", headers: json, body: Array(#"{"name":"pencil","quantity":4}"#.utf8))
            #expect(updated.status == 200)
            #expect(updated.text == #"{"id":1,"name":"pencil","quantity":4}"# + "\n")
            #expect(try client.get("/items").text == #"[{"id":1,"name":"pencil","quantity":4}]"# + "\n")
            #expect(try client.request("DELETE", "/items/1").status == 204)
            #expect(try client.get("/items/1").status == 404)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func apiErrorsAreJSON(kind: ServerKind) throws {
        try withServer(kind, app: itemsAPI()) { _, client throws in
            let json = [("Content-Type", "application/json")]
            let malformed = try client.request("POST", "/items", headers: json, body: Array("{not json".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.header("Content-Type") == "application/json")
            #expect(malformed.text == #"{"error":"malformed JSON body: not valid JSON"}"# + "\n")
            #expect(try client.request("POST", "/items", headers: json, body: Array(#"{"quantity":1}"#.utf8)).status == 400)
            let unknown = try client.get("/items/99")
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"error":"no such item"}"# + "\n")
            #expect(try client.request("PUT", "/items/99", headers: json, body: Array(#"{"name":"x"}"#.utf8)).status == 404)
            let wrong = try client.request("PATCH", "/items")
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "GET, HEAD, POST")
            let wrongItem = try client.request("POST", "/items/1", headers: json, body: Array("{}".utf8))
            #expect(wrongItem.status == 405)
            #expect(wrongItem.header("Allow") == "DELETE, GET, HEAD, PUT")
            let form = try client.request("POST", "/items", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("name=x".utf8))
            #expect(form.status == 415)
            #expect(try client.get("/nope").status == 404)
            #expect(try client.get("/items/abc").text == #"{"error":"no such resource (path parameter 'id')"}"# + "\n")
            #expect(try client.request("POST", "/items", headers: json, body: Array(#"{"name":""}"#.utf8)).text
                    == #"{"error":"name must not be empty"}"# + "\n")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func stackComposesEverything(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("stack-app")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/site.css", Array(compressibleText(5000).utf8))
        try withServer(kind, app: stackApp(root: root, adminCredentials: "admin:pw")) { server, first throws in
            first.close()
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            let echo = try client.get("/echo/a/b?x=1", headers: [("X-Request-ID", "trace-1")])
            #expect(echo.text.contains("SCRIPT_NAME: /echo\n"))
            #expect(echo.text.contains("PATH_INFO: /a/b\n"))
            #expect(echo.text.contains("REQUEST_ID: trace-1\n"))
            #expect(echo.header("X-Request-ID") == "trace-1")

            let created = try client.request("POST", "/api/items", headers: [("Content-Type", "application/json")], body: Array(#"{"name":"cup"}"#.utf8))
            #expect(created.status == 201)
            #expect(created.header("Location") == "/api/items/1")
            #expect(created.header("X-Request-ID")?.count == 32)

            let css = try client.get("/static/site.css", headers: [("Accept-Encoding", "gzip")])
            #expect(css.header("Content-Encoding") == "gzip")
            #expect(css.header("Vary") == "Accept-Encoding")

            let refused = try client.get("/admin/")
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate")?.hasPrefix("Basic realm=\"admin\"") == true)
            let admitted = try client.get("/admin/", headers: [("Authorization", "Basic YWRtaW46cHc=")])  // admin:pw
            #expect(admitted.status == 200)
            #expect(admitted.text == "Welcome, admin.\n")
            #expect(try client.get("/elsewhere").status == 404)
        }
        try withServer(kind, app: stackApp(root: root, adminCredentials: nil)) { _, client throws in
            #expect(try client.get("/admin/", headers: [("Authorization", "Basic YWRtaW46cHc=")]).status == 401)
        }
    }
}

/// The framework sketch of docs/middleware.md, kept compiling and working.
@Suite("a framework on top of Application")
struct FrameworkSketchTests {
    struct Request { let method: String; let path: String; let environ: Environ }
    typealias Handler = @Sendable (Request) throws -> (status: String, headers: [(String, String)], body: [UInt8])

    static func framework(routes: [String: Handler]) -> Application {
        return { environ, startResponse in
            let request = Request(method: environ["REQUEST_METHOD"] ?? "GET", path: environ["PATH_INFO"] ?? "/", environ: environ)
            guard let handler = routes[request.path] else { return try notFoundApp(environ, startResponse) }
            let (status, headers, body) = try handler(request)
            try startResponse(status, headers)
            return [body]
        }
    }

    @Test(arguments: ServerKind.allCases)
    func runsUnderMiddlewareOnBothServers(kind: ServerKind) throws {
        let app = stack(requestID(), gzip(), app: Self.framework(routes: [
            "/hi": { request in ("200 OK", [("Content-Type", "text/plain")], Array("hi from \(request.method)".utf8)) },
        ]))
        try withServer(kind, app: app) { _, client throws in
            let response = try client.get("/hi")
            #expect(response.text == "hi from GET")
            #expect(response.header("X-Request-ID") != nil)
            #expect(try client.get("/other").status == 404)
        }
    }
}
