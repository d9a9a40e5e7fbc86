import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("EventServer: the environ of real requests")
struct EnvironTests {
    @Test func getHasEveryRequiredKey() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            let env = try client.get("/hello/world?x=1&y=2", headers: [("User-Agent", "tester/1")]).environ
            #expect(env["REQUEST_METHOD"] == "GET")
            #expect(env["SCRIPT_NAME"] == "")
            #expect(env["PATH_INFO"] == "/hello/world")
            #expect(env["QUERY_STRING"] == "x=1&y=2")
            #expect(env["SERVER_NAME"] == "127.0.0.1")
            #expect(env["SERVER_PORT"] == String(server.port))
            #expect(env["SERVER_PROTOCOL"] == "HTTP/1.1")
            #expect(env["REMOTE_ADDR"] == "127.0.0.1")
            #expect(Int(env["REMOTE_PORT"] ?? "") ?? 0 > 0)
            #expect(env["HTTP_USER_AGENT"] == "tester/1")
            #expect(env["HTTP_HOST"] == "127.0.0.1")
            #expect(env["CONTENT_TYPE"] == nil)
            #expect(env["CONTENT_LENGTH"] == nil)
            #expect(env["wsgi.url_scheme"] == "http")
            #expect(env["wsgi.multithread"] == "false")
            #expect(env["wsgi.multiprocess"] == "false")
            #expect(env["wsgi.run_once"] == "false")
            #expect(env["wsgi.input_terminated"] == "true")
        }
    }

    @Test func postBodyAndContentHeadersWithoutHTTPPrefix() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.request(
                "POST", "/submit", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("a=1&b=2".utf8))
            let env = response.environ
            #expect(env["REQUEST_METHOD"] == "POST")
            #expect(env["CONTENT_TYPE"] == "application/x-www-form-urlencoded")
            #expect(env["CONTENT_LENGTH"] == "7")
            #expect(env["HTTP_CONTENT_TYPE"] == nil)
            #expect(env["HTTP_CONTENT_LENGTH"] == nil)
            #expect(env["body"] == "a=1&b=2")
        }
    }

    @Test func chunkedRequestBodyIsDecoded() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            let env = try client.readResponse().environ
            #expect(env["body"] == "abcde")
            #expect(env["CONTENT_LENGTH"] == nil)
        }
    }

    @Test(arguments: [
        ("/a%20b/c", "/a b/c", ""),
        ("/caf%C3%A9", "/café", ""),
        ("/x%2Fy", "/x/y", ""),
        ("/q?a=%20b&c", "/q", "a=%20b&c"),
        ("/q?", "/q", ""),
        ("/%ZZ", "/%ZZ", ""),
        ("/plus+sign", "/plus+sign", ""),
    ])
    func pathIsDecodedQueryIsRaw(target: String, path: String, query: String) throws {
        try withEventServer(app: environApp) { server in
            let env = try TestHTTPClient(port: server.port).get(target).environ
            #expect(env["PATH_INFO"] == path)
            #expect(env["QUERY_STRING"] == query)
        }
    }

    @Test func repeatedHeadersAreJoined() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            let env = try client.get("/", headers: [("X-Tag", "a"), ("x-tag", "b"), ("X-Other-Thing", "c")]).environ
            #expect(env["HTTP_X_TAG"] == "a, b")
            #expect(env["HTTP_X_OTHER_THING"] == "c")
        }
    }

    @Test func headerNamesWithUnderscoresAreDropped() throws {
        try withEventServer(app: environApp) { server in
            let env = try TestHTTPClient(port: server.port).get("/", headers: [("X_Forwarded_For", "evil")]).environ
            #expect(env["HTTP_X_FORWARDED_FOR"] == nil)
        }
    }

    @Test func http10ProtocolIsReported() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.request("GET", "/", version: "HTTP/1.0")
            #expect(response.environ["SERVER_PROTOCOL"] == "HTTP/1.0")
        }
    }
}
