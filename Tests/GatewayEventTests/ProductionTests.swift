import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Logging
import Testing

private func serve<T>(
    _ configure: (inout EventServerConfiguration) -> Void, app: @escaping Application, _ body: (BackgroundServer) throws -> T
) throws -> T {
    var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    let running = BackgroundServer(try EventServer(configuration: configuration, app: app))
    defer { running.stop() }
    return try body(running)
}

private func sleepingApp(_ overlap: Overlap, milliseconds: Int = 200) -> Application {
    { _, start in
        overlap.enter()
        usleep(UInt32(milliseconds * 1000))
        overlap.leave()
        try start("200 OK", [("Content-Type", "text/plain")])
        return ["slept"]
    }
}

@Suite("EventServer in production: pool, reactors, limits, shutdown")
struct ProductionTests {
    /// Four blocking requests: inline, each loop runs one app at a time (a
    /// loop inside the app accepts nothing); a pool of N runs N at once and
    /// queues the rest. The apps hold until the test has seen that many
    /// inside at once (and, with a pool, the rest queued), then all finish.
    @Test(arguments: [(0, 1), (4, 1), (2, 2)])
    func blockingRequestsOverlapUpToThePoolSize(threads: Int, reactors: Int) throws {
        let expected = threads == 0 ? reactors : min(4, threads)
        let overlap = Overlap()
        let gate = Gate()
        let app: Application = { _, start in
            overlap.enter()
            gate.wait()
            overlap.leave()
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["done"]
        }
        try serve({ $0.threads = threads; $0.reactors = reactors }, app: app) { server in
            defer { gate.open() }  // a failed wait below must not leave apps holding the server's stop
            let port = server.port
            let statuses = Locked<[Int]>([])
            let group = DispatchGroup()
            for index in 0..<4 {
                group.enter()
                Thread {
                    let status = (try? TestHTTPClient(port: port, timeout: 30).get("/"))?.status ?? -1
                    statuses.withLock { $0.append(status) }
                    group.leave()
                }.start()
                // One at a time until `expected` are in: which loop takes a
                // connection is then never a matter of timing.
                if index < expected {
                    #expect(waitUntil(seconds: 30) { overlap.now == index + 1 }, "\(overlap.now) of \(index + 1) in the app")
                }
            }
            if threads > 0 {
                #expect(waitUntil(seconds: 30) { server.statistics.queueDepth == 4 - expected }, "\(server.statistics)")
            }
            #expect(overlap.now == expected)
            gate.open()
            #expect(group.wait(timeout: .now() + 30) == .success)
            #expect(statuses.withLock { $0 } == [200, 200, 200, 200])
        }
        #expect(overlap.most == expected)
    }

    @Test func shutdownLetsTheResponseUnderWayFinish() throws {
        let overlap = Overlap()
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threads = 2
        let server = try EventServer(configuration: configuration, app: sleepingApp(overlap, milliseconds: 500))
        let running = BackgroundServer(server)
        let result = Locked<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        let port = running.port
        Thread {
            result.withLock { $0 = (try? TestHTTPClient(port: port).get("/"))?.status }
            done.signal()
        }.start()
        #expect(waitUntil { overlap.now == 1 })
        #expect(running.stop())
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(result.withLock { $0 } == 200)
        // And it accepts nothing more.
        #expect(throws: (any Error).self) { try TestHTTPClient(port: port, timeout: 1).get("/") }
    }

    /// Past the drain deadline the server closes while a worker still runs
    /// the app; when the app returns, its body is still closed, and nothing
    /// touches the freed loop.
    @Test func closingPastTheDeadlineStillClosesTheWorkersBody() throws {
        let overlap = Overlap()
        let closes = Counter()
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threads = 1
        configuration.shutdownTimeout = 0.1
        let gate = Gate()
        defer { gate.open() }
        let server = try EventServer(configuration: configuration, app: { _, start in
            overlap.enter()
            gate.wait()
            overlap.leave()
            try start("200 OK", [])
            return StreamBody(["late"], onClose: { closes.increment() })
        })
        let running = BackgroundServer(server)
        let client = try TestHTTPClient(port: running.port, timeout: 5)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(waitUntil(seconds: 30) { overlap.now == 1 })
        #expect(running.stop())  // returns at the 0.1 s deadline, the app still held
        #expect(overlap.now == 1)
        gate.open()
        #expect(waitUntil(seconds: 30) { closes.value == 1 })
        #expect(client.isClosedByServer())
    }

    @Test func unixSocketRoundTrip() throws {
        let path = "/tmp/eventgateway-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        try serve({ $0.unixPath = path }, app: environApp) { _ in
            let response = try TestHTTPClient(unixPath: path).get("/over/unix?x=1")
            #expect(response.status == 200)
            #expect(response.environ["PATH_INFO"] == "/over/unix")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func limitsAnswerTheirStatus() throws {
        let calls = Counter()
        try serve({
            $0.limits.maxBodyBytes = 1000
            $0.limits.maxRequestLine = 100
            $0.limits.maxHeaderBytes = 2000
        }, app: counting(environApp, calls)) { server in
            let body = try TestHTTPClient(port: server.port)
            #expect(try body.request("POST", "/", body: [UInt8](repeating: 0x61, count: 2000)).status == 413)
            let uri = try TestHTTPClient(port: server.port)
            #expect(try uri.get("/" + String(repeating: "u", count: 200)).status == 414)
            // Far past the head limit, and...
            let headers = try TestHTTPClient(port: server.port)
            let refused = try headers.get("/", headers: [("X-Big", String(repeating: "h", count: 3000))])
            #expect(refused.status == 431)
            #expect(refused.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(String(decoding: refused.body, as: UTF8.self) == ResponseStatus.plainBody(for: 431))
            // ...just past it: the parser refuses both before evhttp reads a byte.
            let justOver = try TestHTTPClient(port: server.port)
            #expect(try justOver.get("/", headers: [("X-Big", String(repeating: "h", count: 1985))]).status == 431)
            #expect(calls.value == 0, "a refused request reached the application")
            let kept = try TestHTTPClient(port: server.port)
            #expect(try kept.get("/", headers: [("X-Fits", String(repeating: "h", count: 1000))]).status == 200)
            #expect(try kept.get("/again").status == 200)
            #expect(try TestHTTPClient(port: server.port).get("/fine").status == 200)
            #expect(calls.value == 3)
        }
    }

    /// A served request's objects (handler, environ, body) are freed once it
    /// is done, in every mode: the pool once kept up to 1024 finished jobs.
    @Test(arguments: [0, 2])
    func finishedRequestsAreReleased(threads: Int) throws {
        let freed = Counter()
        final class TrackedBody: ResponseBody {
            let freed: Counter
            init(_ freed: Counter) { self.freed = freed }
            deinit { freed.increment() }
            func makeChunkIterator() -> any ChunkIterator { ["tracked"].makeChunkIterator() }
        }
        try serve({ $0.threads = threads }, app: { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return TrackedBody(freed)
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            for _ in 0..<3 { #expect(try client.get("/").text == "tracked") }
            #expect(waitUntil { freed.value == 3 }, "freed \(freed.value) of 3")
        }
    }

    @Test func malformedRequestsGetAStatusAndALogLine() throws {
        let log = CapturedLog()
        let calls = Counter()
        try serve({ $0.logger = log.logger }, app: counting(environApp, calls)) { server in
            let broken = try TestHTTPClient(port: server.port, timeout: 5)
            try broken.send("GET / HTTP/1.1\r\nHost x\r\n\r\n")  // no colon
            #expect(try broken.readResponse().status == 400)
            let smuggled = try TestHTTPClient(port: server.port, timeout: 5)
            try smuggled.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            #expect(try smuggled.readResponse().status == 400)
            #expect(calls.value == 0, "a refused request reached the application")
            let continued = try TestHTTPClient(port: server.port, timeout: 5)
            try continued.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            #expect(try continued.readHead().status == 100)
            try continued.send("ok")
            #expect(try continued.readResponse().status == 200)
            #expect(try TestHTTPClient(port: server.port).get("/fine").status == 200)
            #expect(calls.value == 2)
        }
        let refusals = log.messages.filter { $0.contains("refused") }
        #expect(refusals.count == 2, "\(log.messages)")
        #expect(refusals.contains { $0.contains("127.0.0.1: 400 Bad Request: field line without a colon") })
        #expect(refusals.contains { $0.contains("127.0.0.1: 400 Bad Request: both Transfer-Encoding and Content-Length") })
    }

    /// evhttp 2.1 reads chunk sizes with strtol; a proxy in front may read
    /// `0x3` or `+3` differently (smuggling). The parser refuses such a size
    /// line with 400 as soon as it ends, whether or not the chunk's data follows.
    @Test func chunkSizesEvhttpWouldMisreadAreRefused() throws {
        let log = CapturedLog()
        let calls = Counter()
        try serve({ $0.logger = log.logger }, app: counting(environApp, calls)) { server in
            let handedOver = try TestHTTPClient(port: server.port, timeout: 5)
            try handedOver.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n")
            #expect(try handedOver.readResponse().status == 400)
            let waiting = try TestHTTPClient(port: server.port, timeout: 5)
            try waiting.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\nabc")
            #expect(try waiting.readResponse().status == 400)
            #expect(waiting.isClosedByServer())
            #expect(calls.value == 0, "a refused request reached the application")
            let fine = try TestHTTPClient(port: server.port, timeout: 5)
            try fine.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n")
            #expect(try fine.readResponse().status == 200)
            #expect(calls.value == 1)
        }
        #expect(log.messages.filter { $0.contains("invalid chunk size") }.count == 2, "\(log.messages)")
    }

    @Test(arguments: [1, 2])
    func connectionsPastTheCapWaitForOneToClose(reactors: Int) throws {
        try serve({ $0.limits.maxConnections = 2 * reactors; $0.reactors = reactors }, app: environApp) { server in
            let held = try (0..<(2 * reactors)).map { _ in try TestHTTPClient(port: server.port, timeout: 5) }
            for client in held { #expect(try client.get("/held").status == 200) }
            #expect(server.statistics.openConnections == 2 * reactors)
            // Connected by the kernel (backlog), but not accepted: no answer yet.
            let waiting = try TestHTTPClient(port: server.port, timeout: 0.5)
            try waiting.send("GET /waiting HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(throws: (any Error).self) { try waiting.readResponse() }
            #expect(server.statistics.openConnections == 2 * reactors, "the cap holds: \(server.statistics)")
            // One held connection closes: the waiting one is accepted and answered.
            for client in held { client.close() }
            let answer = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(try answer.get("/after").status == 200)
        }
    }

    @Test func waitingClientIsAnsweredWhenASlotFrees() throws {
        try serve({ $0.limits.maxConnections = 1 }, app: environApp) { server in
            let held = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(try held.get("/held").status == 200)
            let waiting = try TestHTTPClient(port: server.port, timeout: 5)
            try waiting.send("GET /waiting HTTP/1.1\r\nHost: x\r\n\r\n")
            // Connected and sent (the kernel's backlog holds it) before the slot frees; not accepted.
            #expect(server.statistics.openConnections == 1)
            held.close()
            let response = try waiting.readResponse()
            #expect(response.status == 200)
            #expect(response.environ["PATH_INFO"] == "/waiting")
        }
    }

    @Test func requestTricklingInIsCutAtTheRequestTimeout() throws {
        try serve({ $0.limits.requestTimeout = 0.5; $0.limits.minRequestRate = 0 }, app: environApp) { server in
            // A slowloris client: a header line every 100 ms, each resetting evhttp's own timeout.
            let slow = try TestHTTPClient(port: server.port, timeout: 5)
            try slow.send("GET / HTTP/1.1\r\nHost: x\r\n")
            var cut = false
            for line in 0..<40 where !cut {
                usleep(100_000)
                do { try slow.send("X-\(line): y\r\n") } catch { cut = true }
            }
            #expect(cut || slow.isClosedByServer())
            // A connection that sends nothing at all is cut the same way.
            let silent = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(silent.isClosedByServer())
            // Prompt clients are not affected, also across a keep-alive pause.
            let prompt = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(try prompt.get("/a").status == 200)
            usleep(800_000)
            #expect(try prompt.get("/b").status == 200)
        }
    }

    @Test func steadyUploadIsGivenTimeByItsRate() throws {
        try serve({ $0.limits.requestTimeout = 0.3; $0.limits.minRequestRate = 10_000 }, app: environApp) { server in
            // 0.9 s to send 40 kB: past the 0.3 s deadline, but above 10 kB/s.
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n\r\n")
            for _ in 0..<9 {
                usleep(100_000)
                try client.send([UInt8](repeating: 0x61, count: 4444))
            }
            try client.send([UInt8](repeating: 0x61, count: 4))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.environ["CONTENT_LENGTH"] == "40000")
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAtItsTimeout() throws {
        try serve({ $0.limits.keepAliveTimeout = 0.3 }, app: environApp) { server in
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(try client.get("/").status == 200)
            #expect(client.isClosedByServer())
        }
    }

    @Test func idleClientsAreDropped() throws {
        // Without the 0.5 s idle timeout (which also caps the others), the first timer to close
        // these connections would be the request timeout's 20 s: a close within the clients'
        // 10 s wait is the idle timeout's, however loaded the machine.
        try serve({ $0.limits.idleTimeout = 0.5 }, app: environApp) { server in
            let idle = try TestHTTPClient(port: server.port, timeout: 10)
            #expect(try idle.get("/").status == 200)
            #expect(idle.isClosedByServer())
            let silent = try TestHTTPClient(port: server.port, timeout: 10)
            try silent.send("GET / HTTP/1.1\r\nHost: x\r\n")  // never finishes its headers
            #expect(silent.isClosedByServer())
        }
    }

    /// A stream that writes a small chunk now and then: a client that closes
    /// is noticed when a write to it fails (its FIN alone could be a
    /// half-close), so the body is closed a chunk or two later, and the
    /// connection freed.
    @Test(arguments: [0, 2])
    func clientLeavingASlowStreamIsNoticedAtAWrite(threads: Int) throws {
        let closes = Counter()
        try serve({ $0.threads = threads }, app: { _, start in
            try start("200 OK", [])
            var sent = 0
            return StreamBody(next: {
                if sent > 0 { usleep(100_000) }
                sent += 1
                return sent <= 600 ? Array("tick\n".utf8) : nil  // a minute at most
            }, onClose: { closes.increment() })
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            _ = try client.readLine()
            client.close()
            #expect(waitUntil(seconds: 10) { closes.value == 1 })
            #expect(waitUntil(seconds: 10) { server.statistics.openConnections == 0 })
        }
    }

    @Test(arguments: [0, 2])
    func clientVanishingMidStreamClosesTheBody(threads: Int) throws {
        let closes = Counter()
        try serve({ $0.threads = threads }, app: { _, start in
            try start("200 OK", [])
            let block = [UInt8](repeating: 0x78, count: 64 * 1024)
            return StreamBody(next: { block }, onClose: { closes.increment() })
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            _ = try client.readExactly(200_000)
            client.close()
            #expect(waitUntil { closes.value == 1 })
        }
    }
}

/// Keeps the messages a server logs, for tests that check a log line.
final class CapturedLog: Sendable {
    private let lines = Locked<[String]>([])
    var messages: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.lines.withLock { $0.append(event.message.description) }
        }
    }
}
