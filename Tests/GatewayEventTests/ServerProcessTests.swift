import Foundation
import GatewayTesting
import Testing

/// `gateway serve` run as its own process, for what only a process shows:
/// signals, memory, the access log on stderr.
final class ServerProcess {
    let process = Process()
    let port: Int
    let stderrPath: String

    init(_ arguments: [String]) throws {
        stderrPath = "/tmp/eventgateway-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = CommandTests.executable
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        var bytes: [UInt8] = []
        while bytes.last != UInt8(ascii: "\n") {
            let data = output.fileHandleForReading.readData(ofLength: 1)
            if data.isEmpty { break }
            bytes += data
        }
        let line = String(decoding: bytes, as: UTF8.self)
        guard let match = line.firstMatch(of: /:(\d+)\//), let port = Int(match.1) else {
            process.terminate()
            throw TestClientError.malformed("no port in \(line.debugDescription)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        unlink(stderrPath)
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The resident memory of the server process, in KiB.
    var residentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Sends `signal` and waits (bounded) for the exit; true when it exited.
    func stop(with signal: Int32 = SIGTERM, seconds: Double = 10) -> Bool {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }
}

@Suite("gateway serve as a process")
struct ServerProcessTests {
    @Test func sigtermLetsRequestsUnderWayComplete() throws {
        let server = try ServerProcess(["--app", "probe", "--threads", "2"])
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /sleep?ms=700 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(200_000)
        kill(server.process.processIdentifier, SIGTERM)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "slept")
        #expect(server.stop(seconds: 10))
        #expect(server.process.terminationStatus == 0)
    }

    @Test func accessLogInCommonLogFormat() throws {
        let server = try ServerProcess(["--app", "probe"])
        _ = try TestHTTPClient(port: server.port).get("/hello?x=1")
        #expect(server.stop())
        let line = try #require(server.stderr.split(separator: "\n").first { $0.contains("/hello") })
        #expect(line.wholeMatch(of: /127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/hello\?x=1 HTTP\/1\.1" 200 13/) != nil,
                "\(line)")
        let quiet = try ServerProcess(["--app", "probe", "--no-access-log"])
        _ = try TestHTTPClient(port: quiet.port).get("/hello")
        #expect(quiet.stop())
        #expect(!quiet.stderr.contains("/hello"))
    }

    /// A 1 GiB generated body to a client that does not read: the server
    /// pulls a chunk only when the previous one drained, so its memory stays
    /// flat (socket buffers fill up, the generator waits).
    @Test(arguments: [0, 2])
    func gigabyteStreamToAStalledReaderKeepsMemoryBounded(threads: Int) throws {
        let server = try ServerProcess(["--app", "probe", "--threads", String(threads), "--no-access-log"])
        let before = server.residentKiB
        let client = try TestHTTPClient(port: server.port, timeout: 10)
        try client.send("GET /stream?chunks=16384&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        usleep(1_000_000)                            // stalled: read nothing
        let stalled = server.residentKiB
        _ = try client.readExactly(64 * 1024 * 1024)  // then take 64 MiB
        let reading = server.residentKiB
        client.close()
        print("stream memory (threads \(threads)): before \(before) KiB, stalled \(stalled) KiB, after 64 MiB read \(reading) KiB")
        #expect(stalled - before < 32 * 1024)
        #expect(reading - before < 32 * 1024)
        #expect(server.stop())
    }
}
