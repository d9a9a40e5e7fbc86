import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("requestID")
struct RequestIDTests {
    static let app: Application = { environ, startResponse in
        try startResponse("200 OK", [("Content-Type", "text/plain")])
        return ["\(environ["HTTP_X_REQUEST_ID"] ?? "nil")|\(environ.extras[requestIDKey] as? String ?? "nil")"]
    }

    @Test(arguments: ServerKind.allCases)
    func validIdsAreKeptOthersReplaced(kind: ServerKind) throws {
        try withServer(kind, app: requestID()(Self.app)) { _, client throws in
            let kept = try client.get("/", headers: [("X-Request-ID", "abc-123_x.y")])
            #expect(kept.header("X-Request-ID") == "abc-123_x.y")
            #expect(kept.text == "abc-123_x.y|abc-123_x.y")

            let fresh = try client.get("/")
            let id = try #require(fresh.header("X-Request-ID"))
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(fresh.text == "\(id)|\(id)")
            #expect(try client.get("/").header("X-Request-ID") != id)   // a new one each time

            for bad in [String(repeating: "a", count: 129), "a b", "<script>", "a\"b", "é"] {
                let response = try client.get("/", headers: [("X-Request-ID", bad)])
                let replaced = try #require(response.header("X-Request-ID"))
                #expect(replaced != bad && replaced.count == 32, "\(bad)")
            }
        }
    }

    @Test func validation() {
        #expect(isValidRequestID("0f3c:4=a+b/c@d"))
        #expect(!isValidRequestID(""))
        #expect(!isValidRequestID("a\r\nX-Evil: 1"))
    }
}
