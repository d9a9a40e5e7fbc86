import Foundation
import GatewayTesting
import Testing

/// `gateway serve` run as its own process, for what only a process shows:
/// signals, memory, the access log on stderr.
final class ServerProcess {
    let process = Process()
    let port: Int
    let stderrPath: String

    init(_ arguments: [String], fileLimit: Int? = nil) throws {
        stderrPath = "/tmp/eventgateway-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let serve = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(fileLimit)", CommandTests.executable.path] + serve
        } else {
            process.executableURL = CommandTests.executable
            process.arguments = serve
        }
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

    /// CPU seconds the server process has used (user + system).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends `signal` and waits (bounded) for the exit; true when it exited.
    func stop(with signal: Int32 = SIGTERM, seconds: Double = 10) -> Bool {
        kill(process.processIdentifier, signal)
        return waitForExit(seconds: seconds)
    }

    /// Waits (bounded) for the process to exit; true when it did.
    func waitForExit(seconds: Double = 10) -> Bool {
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
        #expect(server.waitForExit(seconds: 10))
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

    /// Out of descriptors, evhttp's listener would spin a CPU retrying
    /// accept; the server pauses accepting instead and recovers.
    @Test func runningOutOfDescriptorsDoesNotSpin() throws {
        let server = try ServerProcess(["--app", "probe", "--no-access-log"], fileLimit: 40)
        var clients: [TestHTTPClient] = []
        for _ in 0..<60 { if let client = try? TestHTTPClient(port: server.port, timeout: 2) { clients.append(client) } }
        let cpuBefore = server.cpuSeconds
        usleep(1_000_000)
        let spent = server.cpuSeconds - cpuBefore
        #expect(spent < 0.5, "the server used \(spent) s of CPU in 1 s while out of descriptors")
        #expect(server.stderr.contains("pausing accept"))
        clients.removeAll()  // closes them
        var served = false
        for _ in 0..<50 where !served {
            served = (try? TestHTTPClient(port: server.port, timeout: 2).get("/hello").status) == 200
            if !served { usleep(100_000) }
        }
        #expect(served)
        #expect(server.stop())
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

/// The direct children of a process, from /proc.
func childProcesses(of parent: Int32) -> Set<Int32> {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var children: Set<Int32> = []
    for entry in entries {
        guard let pid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, Int32(fields[1]) == parent { children.insert(pid) }
    }
    return children
}

@Suite("gateway serve --processes")
struct PreforkTests {
    @Test func killedWorkerIsReplacedAndServiceGoesOn() throws {
        let server = try ServerProcess(["--app", "probe", "--processes", "2", "--no-access-log"])
        let supervisor = server.process.processIdentifier
        #expect(waitUntil { childProcesses(of: supervisor).count == 2 })
        let json = try TestHTTPClient(port: server.port).get("/environ").text
        #expect(json.contains("\"wsgi.multiprocess\": true"))

        let before = childProcesses(of: supervisor)
        let victim = try #require(before.first)
        kill(victim, SIGKILL)
        #expect(waitUntil { let now = childProcesses(of: supervisor); return now.count == 2 && !now.contains(victim) })
        for _ in 0..<10 {
            #expect(try TestHTTPClient(port: server.port).get("/hello").status == 200)
        }

        // SIGHUP: a fresh set of workers replaces the old one.
        let generation = childProcesses(of: supervisor)
        kill(supervisor, SIGHUP)
        #expect(waitUntil { let now = childProcesses(of: supervisor); return now.count == 2 && now.isDisjoint(with: generation) })
        #expect(try TestHTTPClient(port: server.port).get("/hello").status == 200)

        #expect(server.stop())
        #expect(server.process.terminationStatus == 0)
        #expect(childProcesses(of: supervisor).isEmpty)
    }
}
