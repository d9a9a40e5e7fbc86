import Foundation
import GatewayTestSupport
import Testing

/// scripts/test-output.py, which `make test` runs `swift test` through:
/// the servers' log lines go to a file, the test runner's pass; on failure
/// the log's end and the failures are shown last. Fed a made-up run.
@Suite("make test: server logs out of the way")
struct TestOutputTests {
    static let run = [
        "◇ Test a() started.",
        "2026-12-07T13:55:50+0000 info EventGateway: [GatewayEvent] stopped: 1 responses",
        "EventGateway: error in application for \"GET / HTTP/1.1\": boom",
        "127.0.0.1 - - [07/Dec/2026:13:55:50 +0000] \"GET / HTTP/1.1\" 200 5",
        "✘ Test b() recorded an issue at B.swift:9:9: Expectation failed: stderr:",
        "2026-12-07T13:55:51+0000 info EventGateway: [GatewayEvent] quoted by the failure",
        "✘ Test b() failed after 0.1 seconds with 1 issue.",
        "✔ Test a() passed after 0.1 seconds.",
    ].joined(separator: "\n") + "\n"

    /// The script over `sh -c 'printf RUN; exit STATUS'`: its stdout, exit
    /// status, and its log file's path and text.
    func filter(status: Int32) throws -> (output: String, status: Int32?, path: String, log: String) {
        let python = try #require(python3, "python3 is a test dependency (make test-deps)")
        let log = temporaryPath("test-output", suffix: ".log")
        defer { unlink(log) }
        let script = packageRoot.appendingPathComponent("scripts/test-output.py").path
        let result = try runProgram(URL(fileURLWithPath: python), [script, log, "--", "/bin/sh", "-c", "printf '%s' \"$RUN\"; exit \(status)"],
                                    environment: ["RUN": Self.run, "PATH": "/usr/bin:/bin"])
        return (result.output, result.status, log, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func aPassingRunShowsNoServerLog() throws {
        let (output, status, path, log) = try filter(status: 0)
        #expect(status == 0)
        #expect(output == """
            ◇ Test a() started.
            ✘ Test b() recorded an issue at B.swift:9:9: Expectation failed: stderr:
            2026-12-07T13:55:51+0000 info EventGateway: [GatewayEvent] quoted by the failure
            ✘ Test b() failed after 0.1 seconds with 1 issue.
            ✔ Test a() passed after 0.1 seconds.
            (3 server log lines kept out of the way, in \(path))

            """)
        #expect(log.split(separator: "\n").count == 3)
        #expect(log.hasPrefix("2026-12-07T13:55:50+0000 info EventGateway: [GatewayEvent] stopped: 1 responses\n"))
    }

    @Test func aFailingRunEndsWithTheLogAndTheFailures() throws {
        let (output, status, path, _) = try filter(status: 1)
        #expect(status == 1)
        #expect(output.hasSuffix("""
            (3 server log lines kept out of the way, in \(path))

            == the last 3 server log lines
            2026-12-07T13:55:50+0000 info EventGateway: [GatewayEvent] stopped: 1 responses
            EventGateway: error in application for "GET / HTTP/1.1": boom
            127.0.0.1 - - [07/Dec/2026:13:55:50 +0000] "GET / HTTP/1.1" 200 5

            == failures
            ✘ Test b() recorded an issue at B.swift:9:9: Expectation failed: stderr:
            ✘ Test b() failed after 0.1 seconds with 1 issue.

            """), "\(output)")
    }
}
