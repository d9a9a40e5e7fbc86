import Foundation
import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("accessLog")
struct AccessLogTests {
    @Test(arguments: ServerKind.allCases)
    func commonAndCombinedLines(kind: ServerKind) throws {
        let log = CapturedErrors()
        let app = stack(accessLog(format: .combined, to: log), basicAuth(realm: "r") { _, _ in true }, app: textApp("hello"))
        try withServer(kind, app: app) { _, client throws in
            _ = try client.get("/a%20b?x=1", headers: [("Authorization", "Basic YWxpY2U6cHc="), ("User-Agent", "tester \"1\""),
                                                      ("Referer", "http://example/")])
            #expect(waitUntil { log.text.contains("\n") })
            let line = log.text
            #expect(line.hasPrefix("127.0.0.1 - alice ["))
            #expect(line.contains("+0000] \"GET /a%20b?x=1 HTTP/1.1\" 200 5 \"http://example/\" \"tester \\\"1\\\"\"\n"))
        }
        let common = CapturedErrors()
        try withServer(kind, app: accessLog(to: common)(notFoundApp)) { _, client throws in
            _ = try client.request("HEAD", "/missing")
            #expect(waitUntil { common.text.contains("\n") })
            #expect(common.text.hasSuffix("\"HEAD /missing HTTP/1.1\" 404 -\n"))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func applicationErrorsAreLoggedAs500(kind: ServerKind) throws {
        let log = CapturedErrors()
        let failing: Application = { _, _ in throw FormError.malformed("boom") }
        try withServer(kind, app: accessLog(to: log)(failing)) { _, client throws in
            #expect(try client.get("/broken").status == 500)
            #expect(waitUntil { log.text.contains("\n") })
            #expect(log.text.hasSuffix("\"GET /broken HTTP/1.1\" 500 -\n"))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func jsonLinesCarryDurationBytesAndRequestID(kind: ServerKind) throws {
        let log = CapturedErrors()
        let streamed: Application = { _, startResponse in
            try startResponse("201 Created", [("Content-Type", "text/plain")])
            return StreamBody(["abc", "defg"])
        }
        try withServer(kind, app: stack(requestID(), accessLog(format: .json, to: log), app: streamed)) { _, client throws in
            let response = try client.get("/x?q=\"", headers: [("X-Request-ID", "req-42")])
            #expect(response.text == "abcdefg")
            #expect(waitUntil { log.text.contains("\n") })
            let line = log.text
            #expect(line.hasPrefix("{") && line.hasSuffix("}\n"))
            #expect(line.contains("\"status\":201"))
            #expect(line.contains("\"bytes\":7"))
            #expect(line.contains("\"request_id\":\"req-42\""))
            #expect(line.contains("\"path\":\"/x\""))
            #expect(line.contains("\"query\":\"q=\\\"\""))
            #expect(line.contains("\"duration_ms\":"))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func filesKeepTheirFileWrapperAndAreLogged(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("log")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/f.txt", Array("0123456789".utf8))
        let log = CapturedErrors()
        let seen = Locked(false)
        let probe = Middleware { app in
            { environ, startResponse in
                let body = try app(environ, startResponse)
                seen.withLock { $0 = body is FileWrapper }
                return body
            }
        }
        try withServer(kind, app: stack(probe, accessLog(to: log), app: staticFiles(root: root)(notFoundApp))) { _, client throws in
            #expect(try client.get("/f.txt").text == "0123456789")
            #expect(waitUntil { log.text.contains("\n") })
            #expect(log.text.hasSuffix("\"GET /f.txt HTTP/1.1\" 200 10\n"))
            #expect(seen.withLock { $0 })   // still a FileWrapper: sendfile on the libevent server
        }
    }
}
