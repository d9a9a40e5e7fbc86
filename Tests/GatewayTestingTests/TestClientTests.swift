import Foundation
import Gateway
import GatewayTesting
import Testing

/// Answers with the environ as JSON, plus the body it read.
let echoApp: Application = { environ, startResponse in
    var object: [String: String] = environ.variables.dictionary
    object["wsgi.url_scheme"] = environ.urlScheme
    object["body"] = String(decoding: try environ.input.read(), as: UTF8.self)
    let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try startResponse("200 OK", [("Content-Type", "application/json")])
    return [Array(bytes)]
}

struct AppFailure: Error, Equatable { let marker: String }

@Suite("TestClient")
struct TestClientTests {
    func environ(_ response: TestResponse) throws -> [String: String] {
        try #require(try response.json() as? [String: String])
    }

    @Test func buildsAFullEnvironWithDefaultsAndOverrides() throws {
        let client = TestClient(echoApp)
        let seen = try environ(client.get("/a%20b/c?x=1&y=2"))
        #expect(seen["REQUEST_METHOD"] == "GET")
        #expect(seen["SCRIPT_NAME"] == "")
        #expect(seen["PATH_INFO"] == "/a b/c")
        #expect(seen["QUERY_STRING"] == "x=1&y=2")
        #expect(seen["SERVER_NAME"] == "localhost")
        #expect(seen["SERVER_PORT"] == "80")
        #expect(seen["SERVER_PROTOCOL"] == "HTTP/1.1")
        #expect(seen["REMOTE_ADDR"] == "127.0.0.1")
        #expect(seen["HTTP_HOST"] == "localhost")
        #expect(seen["wsgi.url_scheme"] == "http")
        #expect(seen["CONTENT_LENGTH"] == nil)

        let other = TestClient(echoApp, environ: ["REMOTE_ADDR": "10.0.0.5", "SERVER_NAME": "example.com"])
        let overridden = try environ(other.get("https://example.com:8443/x", headers: [("X-Trace", "1")]))
        #expect(overridden["REMOTE_ADDR"] == "10.0.0.5")
        #expect(overridden["wsgi.url_scheme"] == "https")
        #expect(overridden["SERVER_PORT"] == "8443")
        #expect(overridden["HTTP_HOST"] == "example.com:8443")
        #expect(overridden["HTTP_X_TRACE"] == "1")
    }

    @Test func sendsQueryStringsJSONFormsMultipartAndBasicAuth() throws {
        let client = TestClient(echoApp)
        #expect(try environ(client.get("/s", query: [("q", "a b&c"), ("n", "ü")]))["QUERY_STRING"] == "q=a+b%26c&n=%C3%BC")

        struct Item: Codable { let name: String; let count: Int }
        let json = try environ(client.post("/items", body: .json(Item(name: "lamp", count: 2))))
        #expect(json["CONTENT_TYPE"] == "application/json")
        #expect(json["body"] == #"{"count":2,"name":"lamp"}"#)
        #expect(json["CONTENT_LENGTH"] == String(json["body"]!.utf8.count))

        let form = try environ(client.post("/login", body: .form([("user", "ada l"), ("pw", "a&b=c")])))
        #expect(form["CONTENT_TYPE"] == "application/x-www-form-urlencoded")
        #expect(form["body"] == "user=ada+l&pw=a%26b%3Dc")

        let multipart = try environ(client.post("/upload", body: .multipart([
            .field("title", "Photo"), .file(name: "photo", filename: "a.txt", contentType: "text/plain", Array("hello".utf8)),
        ])))
        let contentType = try #require(multipart["CONTENT_TYPE"])
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        #expect(multipart["body"] == "--\(boundary)\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nPhoto\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--\(boundary)--\r\n")

        let auth = try environ(client.get("/private", auth: ("ada", "secret")))
        #expect(auth["HTTP_AUTHORIZATION"] == "Basic YWRhOnNlY3JldA==")
    }

    @Test func keepsCookiesByDomainAndPath() throws {
        let app: Application = { environ, startResponse in
            var headers = [("Content-Type", "text/plain")]
            switch environ["PATH_INFO"] ?? "" {
            case "/login":
                headers += [("Set-Cookie", "session=s1; Path=/; HttpOnly"), ("Set-Cookie", "pref=dark; Path=/account"),
                            ("Set-Cookie", "wide=1; Domain=example.com; Path=/")]
            case "/logout":
                headers += [("Set-Cookie", "session=; Max-Age=0; Path=/")]
            default: break
            }
            try startResponse("200 OK", headers)
            return [environ["HTTP_COOKIE"] ?? "-"]
        }
        let client = TestClient(app)
        try client.get("http://www.example.com/login")
        #expect(client.cookies["session"] == "s1")
        #expect(try client.get("http://www.example.com/account/settings").text == "pref=dark; session=s1; wide=1")
        #expect(try client.get("http://www.example.com/other").text == "session=s1; wide=1")
        #expect(try client.get("http://example.com/").text == "wide=1", "host-only cookies stay on their host")
        #expect(try client.get("http://elsewhere.org/").text == "-")
        try client.get("http://www.example.com/logout")
        #expect(client.cookies["session"] == nil)
        #expect(try client.get("http://www.example.com/").text == "wide=1")
    }

    @Test func followsRedirectsOnRequestWithHistoryAndDetectsLoops() throws {
        let app: Application = { environ, startResponse in
            let path = environ["PATH_INFO"] ?? ""
            switch path {
            case "/old": try startResponse("301 Moved Permanently", [("Location", "/middle")])
            case "/middle": try startResponse("302 Found", [("Location", "http://localhost/new?from=middle")])
            case "/form": try startResponse("303 See Other", [("Location", "/done")])
            case "/ping": try startResponse("302 Found", [("Location", "/pong")])
            case "/pong": try startResponse("302 Found", [("Location", "/ping")])
            default:
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return ["\(environ["REQUEST_METHOD"]!) \(path)?\(environ["QUERY_STRING"]!) \(try environ.input.read().count)"]
            }
            return [String]()
        }
        let client = TestClient(app)
        #expect(try client.get("/old").status == 301, "not followed unless asked")

        let followed = try client.get("/old", followRedirects: true)
        #expect(followed.status == 200)
        #expect(followed.text == "GET /new?from=middle 0")
        #expect(followed.history.map(\.status) == [301, 302])

        let afterPost = try client.post("/form", body: .text("data"), followRedirects: true)
        #expect(afterPost.text == "GET /done? 0", "303 turns a POST into a GET without its body")

        #expect(throws: TestClientRedirectError.loop(["/pong", "/ping"])) {
            try client.get("/ping", followRedirects: true)
        }
    }

    @Test func applicationErrorsSurfaceToTheTestByDefault() throws {
        let app: Application = { environ, _ in
            throw AppFailure(marker: environ["PATH_INFO"] ?? "")
        }
        #expect(throws: AppFailure(marker: "/boom")) { try TestClient(app).get("/boom") }

        let lenient = TestClient(app, raiseServerExceptions: false)
        let response = try lenient.get("/boom")
        #expect(response.status == 500)
        #expect(lenient.errors.text.contains("AppFailure"))
    }

    @Test func theServersResponseRulesApply() throws {
        let app: Application = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["hello ", "world"]
        }
        let client = TestClient(app)
        let get = try client.get("/")
        #expect(get.header("Content-Length") == "11")
        #expect(get.header("Server") != nil && get.header("Date") != nil)
        #expect(get.text == "hello world")
        let head = try client.head("/")
        #expect(head.header("Content-Length") == "11")
        #expect(head.body.isEmpty)
    }
}
