import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// The line the event server logs when a stop begins says what it waits
/// for, in words: it read "waiting up to 10.0 s for 0 response(s) under way
/// and the requests arriving".
@Suite("gateway serve: the stop line")
struct StopLineTests {
    /// The log line after the timestamp and level: "stopping: ...".
    static func stopLines(_ log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in
            line.firstRange(of: "] stopping: ").map { String(line[line.index($0.upperBound, offsetBy: -10)...]) }
        }
    }

    @Test(.timeLimit(.minutes(1))) func nothingUnderWay() throws {
        let server = try GatewayProcess(["--app", "probe"])
        #expect(server.stop())
        #expect(Self.stopLines(server.stderr) == [
            "stopping: no response under way; waiting up to 10 s for requests still arriving on connections already accepted",
        ], "\(server.stderr)")
    }

    @Test(.timeLimit(.minutes(1))) func oneResponseUnderWay() throws {
        let calls = temporaryPath("calls")
        defer { unlink(calls) }
        let server = try GatewayProcess(["--app", "probe", "--threads", "1", "--shutdown-timeout", "7.5"],
                                        environment: ["PROBE_CALL_LOG": calls])
        let client = try TestHTTPClient(port: server.port, timeout: 10)
        try client.send("GET /sleep?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        // The request is in the application once the probe logged its call.
        try #require(waitUntil(seconds: 5) { ((try? FileManager.default.attributesOfItem(atPath: calls))?[.size] as? Int ?? 0) == 1 })
        kill(server.processIdentifier, SIGTERM)
        #expect(try client.readResponse().text == "slept")
        #expect(server.waitForExit())
        #expect(Self.stopLines(server.stderr) == [
            "stopping: waiting up to 7.5 s for 1 response under way and requests still arriving on connections already accepted",
        ], "\(server.stderr)")
    }
}
