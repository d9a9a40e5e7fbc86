import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("urlMap")
struct URLMapTests {
    /// Answers which mount it is, with the environ it saw.
    static func named(_ name: String) -> Application {
        return { environ, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(name)|\(environ["SCRIPT_NAME"] ?? "nil")|\(environ["PATH_INFO"] ?? "nil")"]
        }
    }

    @Test(arguments: ServerKind.allCases)
    func longestPrefixWinsAndMovesToScriptName(kind: ServerKind) throws {
        let app = urlMap(["/api": Self.named("api"), "/api/v2/": Self.named("v2"), "/static": Self.named("static")])
        try withServer(kind, app: app) { _, client throws in
            let cases: [(String, Int, String?)] = [
                ("/api/items/3", 200, "api|/api|/items/3"),
                ("/api", 200, "api|/api|"),
                ("/api/", 200, "api|/api|/"),
                ("/api/v2/things", 200, "v2|/api/v2|/things"),
                ("/api/v2", 200, "v2|/api/v2|"),
                ("/api/v20", 200, "api|/api|/v20"),        // whole segments only
                ("/static/a%20b.css", 200, "static|/static|/a b.css"),
                ("/apix", 404, nil),
                ("/", 404, nil),
                ("/other", 404, nil),
            ]
            for (target, status, body) in cases {
                let response = try client.get(target)
                #expect(response.status == status, "\(target)")
                if let body { #expect(response.text == body, "\(target)") }
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func rootMountCatchesTheRestAndNestedMapsAddUp(kind: ServerKind) throws {
        let inner = urlMap(["/b": Self.named("b")])
        let app = urlMap(["/": Self.named("root"), "/a": inner])
        try withServer(kind, app: app) { _, client throws in
            #expect(try client.get("/a/b/c").text == "b|/a/b|/c")
            #expect(try client.get("/zzz").text == "root||/zzz")
            #expect(try client.get("/a/q").status == 404)
        }
    }
}
