import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Testing

/// Runs an event server configured by `configure` on port 0 around `body`.
private func serve<T>(
    _ configure: (inout EventServerConfiguration) -> Void, app: @escaping Application,
    _ body: (EventServer, Int) throws -> T
) throws -> T {
    var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    let server = try EventServer(configuration: configuration, app: app)
    let running = BackgroundServer(server)
    defer { running.stop() }
    return try body(server, running.port)
}

/// FNV-1a over a stream of pieces: order-sensitive, and cheap in a debug build.
private struct Checksum {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func update(_ bytes: [UInt8]) {
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
    var hex: String { String(state, radix: 16) }
}

/// Reads `wsgi.input` the way `?read=` says (all, 1000, line, iterate) and
/// answers the checksum and length of what it read.
private func digestApp(calls: Counter = Counter()) -> Application {
    { environ, start in
        calls.increment()
        var hash = Checksum()
        var count = 0
        func take(_ bytes: [UInt8]) { hash.update(bytes); count += bytes.count }
        switch environ["QUERY_STRING"] ?? "" {
        case "read=1000":
            while case let piece = try environ.input.read(1000), !piece.isEmpty { take(piece) }
        case "read=line":
            while case let line = try environ.input.readLine(), !line.isEmpty { take(line) }
        case "read=iterate":
            for line in environ.input { take(line) }
        default:
            take(try environ.input.read())
        }
        try start("200 OK", [("Content-Type", "text/plain")])
        return [Array("\(count) \(hash.hex)".utf8)]
    }
}

/// A body of lines of varied length (some past the input's 8 KiB refill), `size` bytes.
/// Each line is appended as an array: appending a `repeatElement` took 6 s
/// for 4 MB under the thread sanitizer (9 ms this way).
private func linesBody(_ size: Int, seed: Int) -> [UInt8] {
    var body: [UInt8] = []
    body.reserveCapacity(size)
    var line = seed
    while body.count < size {
        let length = line % 7 == 0 ? 20_000 : 10 + line % 90
        body.append(contentsOf: [UInt8](repeating: UInt8(ascii: "a") + UInt8(line % 26), count: length))
        body.append(UInt8(ascii: "\n"))
        line += 1
    }
    return Array(body.prefix(size))
}

private func expected(_ body: [UInt8]) -> String {
    var hash = Checksum()
    hash.update(body)
    return "\(body.count) \(hash.hex)"
}

@Suite("EventServer under overload: body budget and spool, bounded queue", .serialized)  // their blocking waits hold one test-pool thread at most
struct OverloadTests {
    @Test(arguments: ["read=all", "read=1000", "read=line", "read=iterate"])
    func aSpooledBodyReadsBackWhole(mode: String) throws {
        let body = linesBody(300_000, seed: 3)
        try serve({ $0.threads = 2 }, app: digestApp()) { server, port in
            let response = try TestHTTPClient(port: port).request("POST", "/?\(mode)", body: body)
            #expect(response.status == 200)
            #expect(response.text == expected(body))
            #expect(server.statistics.spooledBodies == 1)
        }
    }

    @Test func aChunkedBodyIsSpooledAndReadBack() throws {
        let body = linesBody(200_000, seed: 5)
        try serve({ $0.limits.bodySpoolThreshold = 1024 }, app: digestApp()) { server, port in
            let client = try TestHTTPClient(port: port)
            var wire = Array("POST /?read=line HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for start in stride(from: 0, to: body.count, by: 30_000) {
                let piece = body[start..<min(start + 30_000, body.count)]
                wire += Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Array("\r\n".utf8)
            }
            try client.send(wire + Array("0\r\n\r\n".utf8))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == expected(body))
            // The connection goes on: the next request is served after the spooled one.
            #expect(try client.request("POST", "/", body: Array("tiny".utf8)).text == expected(Array("tiny".utf8)))
            #expect(server.statistics.spooledBodies == 1)
        }
    }

    @Test func aChunkedBodyOverTheLimitWhileSpooledIs413AndTheAppNeverRuns() throws {
        let calls = Counter()
        try serve({ $0.limits.maxBodyBytes = 100_000; $0.limits.bodySpoolThreshold = 1024 }, app: digestApp(calls: calls)) { server, port in
            let client = try TestHTTPClient(port: port)
            var wire = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for _ in 0..<5 { wire += Array("7530\r\n".utf8) + [UInt8](repeating: 0x41, count: 30_000) + Array("\r\n".utf8) }
            try client.send(wire + Array("0\r\n\r\n".utf8))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(calls.value == 0)
            #expect(server.statistics.refusals[413] == 1)
        }
    }

    /// A body with no room on disk is refused before any of it is read.
    @Test func aBodyPastTheDiskBudgetIs503BeforeItsBody() throws {
        let calls = Counter()
        try serve({ $0.limits.maxSpooledBodyBytes = 1 << 20 }, app: digestApp(calls: calls)) { server, port in
            let client = try TestHTTPClient(port: port)
            try client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 503)
            #expect(response.header("Retry-After") == "1")
            #expect(calls.value == 0)
            #expect(server.statistics.refusals == [503: 1])
            // One that fits is spooled and served.
            let body = linesBody(900_000, seed: 2)
            #expect(try TestHTTPClient(port: port).request("POST", "/", body: body).text == expected(body))
        }
    }

    /// Ten 4 MB uploads at once against an 8 MiB budget: all arrive intact,
    /// and the server never held more than the budget of body in memory.
    /// The bodies and their digests are made before the server starts, so
    /// that the 60 s are the server's (under the thread sanitizer, ten
    /// threads building them at once took all of it; now 10 s to make them,
    /// 5 to 15 s to upload).
    @Test func concurrentUploadsStayUnderTheBudget() async throws {
        let budget = 8 << 20
        let uploads = (0..<10).map { index in
            let body = linesBody(4_000_000, seed: index)
            return (body: body, digest: expected(body))
        }
        let (answers, statistics) = try await offThePool {
            try serve({ $0.threads = 4; $0.limits.maxBufferedBodyBytes = budget }, app: digestApp()) { server, port in
                let results = Locked<[Bool]>([])
                let group = DispatchGroup()
                for (index, upload) in uploads.enumerated() {
                    group.enter()
                    Thread {
                        // (Lines and iteration are read back in aSpooledBodyReadsBackWhole: slow in a debug build.)
                        let response = try? TestHTTPClient(port: port, timeout: 30)
                            .request("POST", index % 2 == 0 ? "/?read=all" : "/?read=1000", body: upload.body)
                        results.withLock { $0.append(response?.status == 200 && response?.text == upload.digest) }
                        group.leave()
                    }.start()
                }
                _ = group.wait(timeout: .now() + 60)
                return (results.withLock { $0 }, server.statistics)
            }
        }
        #expect(answers == Array(repeating: true, count: 10))
        #expect(statistics.spooledBodies == 10)
        #expect(statistics.peakBufferedBodyBytes <= budget)
        #expect(statistics.bufferedBodyBytes == 0)
    }

    /// Bodies small enough for memory are spooled once the budget is taken:
    /// six 60 kB bodies held open against a 128 KiB budget.
    @Test func bodiesPastTheBudgetAreSpooled() throws {
        let budget = 128 * 1024
        try serve({ $0.limits.maxBufferedBodyBytes = budget }, app: digestApp()) { server, port in
            let body = linesBody(60_000, seed: 1)
            var clients: [TestHTTPClient] = []
            for _ in 0..<6 {
                let client = try TestHTTPClient(port: port)
                try client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n")
                // evhttp answers 100 for a body it holds, the relay for one it spools:
                // either way the server has read the head.
                #expect(try client.readHead().status == 100)
                try client.send(Array(body.prefix(1000)))
                clients.append(client)
            }
            #expect(server.statistics.bufferedBodyBytes == 2 * body.count)
            for client in clients { try client.send(Array(body.dropFirst(1000))) }
            for client in clients {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == expected(body))
            }
            let statistics = server.statistics
            #expect(statistics.spooledBodies == 4)
            #expect(statistics.peakBufferedBodyBytes == 2 * body.count)
            #expect(statistics.bufferedBodyBytes == 0)
        }
    }

    /// One worker held by a first request, a second one waiting for it:
    /// `probe` runs then; afterwards both are answered 200, the application
    /// having been called for them alone.
    private func withOneRequestWaiting(
        _ configure: @escaping (inout EventServerConfiguration) -> Void,
        probe: (EventServer, Int) throws -> Void
    ) throws {
        let calls = Counter()
        let release = DispatchSemaphore(value: 0)
        let app: Application = { _, start in
            calls.increment()
            release.wait()
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["done"]
        }
        try serve({ $0.threads = 1; configure(&$0) }, app: app) { server, port in
            let first = try TestHTTPClient(port: port)
            try first.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(waitUntil(seconds: 30) { calls.value == 1 })  // bounded, generous: a loaded machine
            let second = try TestHTTPClient(port: port)
            try second.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(waitUntil(seconds: 30) { server.statistics.queueDepth == 1 })
            try probe(server, port)
            release.signal()
            release.signal()
            #expect(try first.readResponse().status == 200)
            #expect(try second.readResponse().status == 200)
            #expect(calls.value == 2)
        }
    }

    /// Room for one waiting request: the third gets 503 at once, with
    /// Retry-After, and never reaches the application.
    @Test func aFullQueueAnswers503() throws {
        try withOneRequestWaiting({ $0.maxPending = 1 }) { server, port in
            let refused = try TestHTTPClient(port: port).get("/3")
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.header("Connection") == "close")
            #expect(server.statistics.refusals == [503: 1])
        }
    }

    /// A queue that has stopped moving: once the oldest waiting request has
    /// waited past `maxQueueWait`, a new one gets 503 although the count
    /// limit is far away.
    @Test func aQueueThatStoppedMovingAnswers503() throws {
        try withOneRequestWaiting({ $0.maxPending = 100; $0.maxQueueWait = 0.2 }) { server, port in
            usleep(400_000)  // the waiting request has now waited at least 0.4 s
            let refused = try TestHTTPClient(port: port).get("/3")
            #expect(refused.status == 503)
            #expect(server.statistics.refusals == [503: 1])
        }
    }

    /// The defaults let a burst wait rather than refuse it: 64 clients at
    /// once on one worker are all answered 200.
    @Test func aBurstOnTheDefaultsIsServed() throws {
        let app: Application = { _, start in
            usleep(1000)
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["ok"]
        }
        try serve({ $0.threads = 1 }, app: app) { server, port in
            let statuses = Locked<[Int]>([])
            let group = DispatchGroup()
            for _ in 0..<64 {
                group.enter()
                Thread {
                    let status = (try? TestHTTPClient(port: port, timeout: 30).get("/").status) ?? 0
                    statuses.withLock { $0.append(status) }
                    group.leave()
                }.start()
            }
            #expect(group.wait(timeout: .now() + 60) == .success)
            #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 64))
            #expect(server.statistics.refusals.isEmpty)
        }
    }
}
