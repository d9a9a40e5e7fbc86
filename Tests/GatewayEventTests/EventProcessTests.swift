import Foundation
import GatewayProbe
import GatewayTesting
import GatewayTestSupport
import Testing

/// The event server in a `gateway serve` process, for what only a process
/// shows: signals, memory and CPU, the access log on stderr, prefork.
@Suite("EventServer as a gateway serve process")
struct EventProcessTests {
    /// A response under way when SIGTERM comes is finished whole. "Under
    /// way" is observed, not slept for: the client has its head, the rest
    /// (16 MiB, more than the socket buffers hold) is still to come.
    @Test func sigtermLetsRequestsUnderWayComplete() throws {
        let server = try GatewayProcess(["--app", "probe", "--threads", "2"])
        let client = try TestHTTPClient(port: server.port, timeout: 30)
        try client.send("GET /stream?chunks=256&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readHead()
        kill(server.processIdentifier, SIGTERM)
        let response = try client.readResponseBody(of: head)
        #expect(response.status == 200)
        #expect(response.body.count == 256 * 65536)
        #expect(server.waitForExit(seconds: 10))
        #expect(server.process.terminationStatus == 0)
    }

    @Test func accessLogInCommonLogFormat() throws {
        let server = try GatewayProcess(["--app", "probe"])
        _ = try TestHTTPClient(port: server.port).get("/hello?x=1")
        #expect(server.stop())
        let line = try #require(server.stderr.split(separator: "\n").first { $0.contains("/hello") })
        #expect(line.wholeMatch(of: /127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/hello\?x=1 HTTP\/1\.1" 200 13/) != nil,
                "\(line)")
        let quiet = try GatewayProcess(["--app", "probe", "--no-access-log"])
        _ = try TestHTTPClient(port: quiet.port).get("/hello")
        #expect(quiet.stop())
        #expect(!quiet.stderr.contains("/hello"))
    }

    /// Out of descriptors, libevent's listener would spin a CPU retrying
    /// accept; the server pauses accepting instead and recovers. Connections
    /// alone no longer run it out (``connectionsStopShortOfTheDescriptorLimit``):
    /// here the limit is lowered under the running server, as other
    /// descriptors (the application's files, say) would take what it counted on.
    @Test func runningOutOfDescriptorsDoesNotSpin() throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"], fileLimit: 200)
        let lowered = try runTool("/usr/bin/prlimit", ["--pid", String(server.processIdentifier), "--nofile=40:200"])
        try #require(lowered?.status == 0, "prlimit could not lower the server's limit")
        var clients: [TestHTTPClient] = []
        for _ in 0..<60 { if let client = try? TestHTTPClient(port: server.port, timeout: 2) { clients.append(client) } }
        // Out of descriptors (it says so), then its CPU over a second.
        #expect(waitUntil(seconds: 30) { server.stderr.contains("pausing accept") }, "\(server.stderr)")
        let cpuBefore = server.cpuSeconds
        usleep(1_000_000)
        let spent = server.cpuSeconds - cpuBefore
        #expect(spent < 0.5, "the server used \(spent) s of CPU in 1 s while out of descriptors")
        clients.removeAll()  // closes them
        // It resumes accepting once descriptors are free again.
        #expect(waitUntil(seconds: 30) { (try? TestHTTPClient(port: server.port, timeout: 2).get("/hello").status) == 200 })
        #expect(server.stop())
    }

    /// The default cap (20,000 connections) under a smaller descriptor limit:
    /// the server holds what the limit leaves after a reserve, stops
    /// accepting there (clients wait in the backlog), and never runs out of
    /// descriptors on connections alone.
    @Test func connectionsStopShortOfTheDescriptorLimit() throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"], fileLimit: 200)
        #expect(server.stderr.contains("holding at most 184 connections, not 20000"), "\(server.stderr)")
        var clients: [TestHTTPClient] = []
        for _ in 0..<250 { if let client = try? TestHTTPClient(port: server.port, timeout: 2) { clients.append(client) } }
        #expect(waitUntil(seconds: 30) { server.stderr.contains("connections open: not accepting more") }, "\(server.stderr)")
        #expect(try clients[0].get("/hello").status == 200)
        #expect(!server.stderr.contains("Too many open files"), "\(server.stderr)")
        clients.removeAll()
        #expect(waitUntil(seconds: 30) { (try? TestHTTPClient(port: server.port, timeout: 2).get("/hello").status) == 200 })
        #expect(server.stop())
    }

    /// A 1 GiB generated body to a client that does not read: the server
    /// pulls a chunk only when the previous one drained, so its memory stays
    /// flat (socket buffers fill up, the generator waits). "Stalled" is
    /// observed, not slept for: the probe logs each 64 KiB chunk it produces
    /// (`PROBE_STREAM_LOG`), and the count comes to rest once the buffers
    /// are full; a server that pulled without waiting would come to rest
    /// only at the last of the 16,384 chunks.
    @Test(arguments: [0, 2])
    func gigabyteStreamToAStalledReaderKeepsMemoryBounded(threads: Int) throws {
        let pulls = CallLog(path: temporaryPath("stream-pulls"))
        defer { unlink(pulls.path) }
        let server = try GatewayProcess(
            serve: ["--host", "127.0.0.1", "--port", "0", "--app", "probe", "--threads", String(threads), "--no-access-log"],
            environment: [CallLog.streamEnvironmentKey: pulls.path])
        let before = server.residentKiB
        let client = try TestHTTPClient(port: server.port, timeout: 10)
        try client.send("GET /stream?chunks=16384&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        // Stalled: the client reads nothing, the server stops pulling.
        let pulled = try #require(settledValue { pulls.count }, "the server never stopped pulling (\(pulls.count) chunks)")
        let stalled = server.residentKiB
        _ = try client.readExactly(64 * 1024 * 1024)  // then take 64 MiB
        let reading = server.residentKiB
        client.close()
        print("stream memory (threads \(threads)): before \(before) KiB, stalled \(stalled) KiB (\(pulled) chunks pulled), "
              + "after 64 MiB read \(reading) KiB")
        #expect(pulled < 512, "\(pulled) chunks of 64 KiB pulled for a client that read none")  // 32 MiB
        #expect(stalled - before < 32 * 1024)
        #expect(reading - before < 32 * 1024)
        #expect(server.stop())
    }
}

@Suite("gateway serve --processes")
struct PreforkTests {
    @Test func killedWorkerIsReplacedAndServiceGoesOn() throws {
        let server = try GatewayProcess(["--app", "probe", "--processes", "2", "--no-access-log"])
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
