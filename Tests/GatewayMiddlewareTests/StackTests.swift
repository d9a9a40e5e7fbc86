import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("stack")
struct StackTests {
    static func tag(_ name: String) -> Middleware {
        Middleware { app in
            { environ, startResponse in
                var environ = environ
                environ["X_TRAIL"] = (environ["X_TRAIL"] ?? "") + name
                return try app(environ, StartResponse { status, headers, excInfo in
                    try startResponse(status, headers + [("X-Trail", name)], excInfo: excInfo)
                })
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func middlewareRunsInReadingOrder(kind: ServerKind) throws {
        let app: Application = { environ, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return [environ["X_TRAIL"] ?? ""]
        }
        try withServer(kind, app: stack(Self.tag("a"), Self.tag("b"), Self.tag("c"), app: app)) { _, client throws in
            let response = try client.get("/")
            #expect(response.text == "abc")                             // requests: first listed first
            #expect(response.headerValues("X-Trail") == ["c", "b", "a"])  // responses: first listed last
        }
    }
}
