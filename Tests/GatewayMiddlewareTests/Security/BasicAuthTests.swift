import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("basicAuth")
struct BasicAuthTests {
    static func credentials(_ text: String) -> String {
        // base64 by hand, to test against an encoder other than ours
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for index in 0..<4 {
                out.append(index <= chunk.count ? table[(value >> (18 - 6 * index)) & 63] : "=")
            }
        }
        return "Basic " + out
    }

    @Test(arguments: ServerKind.allCases)
    func refusesWithoutValidCredentialsAndNeverCallsTheApp(kind: ServerKind) throws {
        let calls = Counter()
        let app: Application = { environ, startResponse in
            calls.increment()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["hello \(environ["REMOTE_USER"] ?? "?")"]
        }
        let guarded = basicAuth(realm: "admin area") { $0 == "alice" && $1 == "s3cr:et" }(app)
        try withServer(kind, app: guarded) { _, client throws in
            for authorization in [nil, Self.credentials("alice:wrong"), Self.credentials("bob:s3cr:et"), "Basic !!!notbase64",
                                  "Bearer abc", "Basic", Self.credentials("alice")] {
                let response = try client.get("/", headers: authorization.map { [("Authorization", $0)] } ?? [])
                #expect(response.status == 401, "\(authorization ?? "none")")
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"admin area\", charset=\"UTF-8\"")
            }
            #expect(calls.value == 0)
            let ok = try client.get("/", headers: [("Authorization", Self.credentials("alice:s3cr:et"))])
            #expect(ok.status == 200)
            #expect(ok.text == "hello alice")
            #expect(calls.value == 1)
            let lower = try client.get("/", headers: [("Authorization", "basic " + Self.credentials("alice:s3cr:et").dropFirst(6))])
            #expect(lower.status == 200)
        }
    }

    @Test func base64Decoding() {
        #expect(base64Decode("YWxpY2U6cHc=") == Array("alice:pw".utf8))
        #expect(base64Decode("YQ==") == Array("a".utf8))
        #expect(base64Decode("YQ=") == nil)
        #expect(base64Decode("Y=Q=") == nil)
        #expect(base64Decode("====") == nil)
    }
}
