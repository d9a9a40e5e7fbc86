import Foundation
import Gateway
import GatewaySocket
import GatewayTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Async applications on the socket server: the connection's thread waits
/// for the application's task (pumping the request body to it meanwhile),
/// writes each awaited chunk, and cancels the task when the client leaves.
///
/// The tests are async and do their blocking client calls off the
/// cooperative pool (``offThePool(_:)``), so that they hold none of its few
/// threads (the applications' tasks run on their connections' threads, but
/// what they await, a timer, resumes through Dispatch).
@Suite("Socket server: async applications", .timeLimit(.minutes(3)))
struct AsyncApplicationTests {
    private static func serve(
        _ app: AnyApplication, mode: SocketServerConfiguration.Mode = .threads(maximum: 8),
        configure: (inout SocketServerConfiguration) -> Void = { _ in }
    ) throws -> BackgroundServer {
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = mode
        configuration.errors = CapturedErrors()
        configure(&configuration)
        return BackgroundServer(try SocketServer(configuration: configuration, app: app))
    }

    /// Runs a test's blocking client calls on a thread for blocking work;
    /// the expectations are checked on the values it returns.
    private static func offThePool<Value>(_ body: @escaping () throws -> Value) async throws -> Value {
        try await BlockingWork.run(body).value
    }

    /// Seconds a client waits for an answer; generous, for a machine busy
    /// with the other suites.
    private static let patience = 60.0

    /// Stops a server on a thread for blocking work, not on the test's own
    /// pool thread: a connection thread may be waiting for a task that
    /// needs one (its stop then cancels it).
    private static func stop(_ running: BackgroundServer) {
        DispatchQueue.global().async { running.stop() }
    }

    /// Length and a 64-bit FNV-1a of the bytes, updated as they arrive.
    private struct Digest {
        var length = 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func update(_ bytes: [UInt8]) {
            length += bytes.count
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        var text: String { "\(length) \(String(hash, radix: 16))" }
    }

    @Test(arguments: [SocketServerConfiguration.Mode.single, .threads(maximum: 4)])
    func anAwaitedSleepIsAnswered(mode: SocketServerConfiguration.Mode) async throws {
        let app: AsyncApplication = { environ, startResponse in
            try await Task.sleep(for: .milliseconds(20))
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["slept \(environ["PATH_INFO"] ?? "")\n"]
        }
        let running = try Self.serve(.async(app), mode: mode)
        defer { Self.stop(running) }
        // Kept alive: two requests on one connection.
        let responses = try await Self.offThePool {
            let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
            return try ["/a", "/b"].map { try client.get($0) }
        }
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.map(\.text) == ["slept /a\n", "slept /b\n"])
    }

    @Test func makeServerTakesAnAsyncApplication() async throws {
        let app: AsyncApplication = { _, startResponse in
            await Task.yield()
            try startResponse("200 OK", [])
            return ["yes"]
        }
        let running = BackgroundServer(try makeServer(host: "127.0.0.1", port: 0, app: app))
        defer { Self.stop(running) }
        #expect(try await Self.offThePool { try TestHTTPClient(port: running.port, timeout: Self.patience).get("/").text } == "yes")
    }

    /// The body is hashed chunk by chunk as it arrives, with Content-Length
    /// or chunked; the first chunk reaches the application before the
    /// client has sent the rest (it waits for the answer to its first part).
    @Test(arguments: [false, true])
    func anUploadIsHashedAsItArrives(chunked: Bool) async throws {
        let firstChunkSeen = Locked(false)
        let app: AsyncApplication = { environ, startResponse in
            var digest = Digest()
            for try await chunk in environ.input.chunks {
                firstChunkSeen.withLock { $0 = true }
                digest.update(chunk)
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return [digest.text]
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }
        var generator = SystemRandomNumberGenerator()
        let body = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var expected = Digest()
        expected.update(body)
        let (sawFirst, response, next) = try await Self.offThePool {
        let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
        let framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: \(body.count)"
        try client.send("POST /upload HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\r\n")
        let first = 64 * 1024
        try client.send(chunked ? Array("\(String(first, radix: 16))\r\n".utf8) + body[..<first] + Array("\r\n".utf8) : Array(body[..<first]))
        let sawFirst = waitUntil(seconds: Self.patience) { firstChunkSeen.withLock { $0 } }
        var offset = first
        while offset < body.count {
            let piece = body[offset..<min(offset + 256 * 1024, body.count)]
            try client.send(chunked ? Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Array("\r\n".utf8) : Array(piece))
            offset += piece.count
        }
        if chunked { try client.send("0\r\n\r\n") }
        let response = try client.readResponse()
        // The body was read to its end: the connection carries the next request.
        return (sawFirst, response, try client.request("POST", "/again", body: Array("abc".utf8)))
        }
        #expect(sawFirst, "the application saw nothing of a partial body")
        #expect(response.status == 200)
        #expect(response.text == expected.text)
        #expect(next.status == 200)
    }

    @Test func anAsyncBodyStreamsItsChunks() async throws {
        let count = 6
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            let produced = Locked(0)
            return AsyncBody(next: {
                let index = produced.withLock { value -> Int in
                    value += 1
                    return value
                }
                guard index <= count else { return nil }
                try await Task.sleep(for: .milliseconds(5))
                return Array("chunk \(index)\n".utf8)
            })
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }
        let response = try await Self.offThePool { try TestHTTPClient(port: running.port, timeout: Self.patience).get("/stream") }
        #expect(response.status == 200)
        #expect(response.wasChunked)
        #expect(response.chunkSizes.count == count)
        #expect(response.text == (1...count).map { "chunk \($0)\n" }.joined())
    }

    @Test func aThrowBeforeTheHeadIsA500() async throws {
        struct Failure: Error {}
        let app: AsyncApplication = { _, _ in
            try await Task.sleep(for: .milliseconds(5))
            throw Failure()
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }
        let response = try await Self.offThePool { try TestHTTPClient(port: running.port, timeout: Self.patience).get("/") }
        #expect(response.status == 500)
    }

    /// After the head went out, a failing body cuts the connection: the
    /// client reads a chunked body without its last chunk.
    @Test func aThrowAfterTheHeadCutsTheConnection() async throws {
        struct Failure: Error {}
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            let produced = Locked(0)
            return AsyncBody(next: {
                let index = produced.withLock { value -> Int in
                    value += 1
                    return value
                }
                try await Task.sleep(for: .milliseconds(5))
                if index > 2 { throw Failure() }
                return Array("part \(index)\n".utf8)
            })
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }
        let (head, rest) = try await Self.offThePool {
            let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readHead()
            return (head, Result { try client.readResponseBody(of: head) })
        }
        #expect(head.status == 200)
        #expect(head.header("Transfer-Encoding") == "chunked")
        #expect(throws: TestClientError.closed) { try rest.get() }
    }

    /// `100 Continue` goes out when the application first reads, not before;
    /// an application that never reads never has it sent, and the
    /// connection closes after its response (the body was not read).
    @Test func continueIsSentOnTheFirstRead() async throws {
        let app: AsyncApplication = { environ, startResponse in
            try await Task.sleep(for: .milliseconds(300))
            let body = environ["PATH_INFO"] == "/read" ? try await environ.input.read() : Array("unread".utf8)
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return [body]
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }

        let (early, interim, response, next) = try await Self.offThePool {
            let reader = try TestHTTPClient(port: running.port, timeout: Self.patience)
            try reader.send("POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let early = Self.readable(reader.descriptor, milliseconds: 150)
            let interim = try reader.readHead()
            try reader.send("hello")
            return (early, interim, try reader.readResponse(method: "POST"), try reader.get("/next"))
        }
        #expect(!early, "something came before the application read")
        #expect(interim.status == 100)
        #expect(response.status == 200)
        #expect(response.text == "hello")
        #expect(next.status == 200, "the connection was not kept alive")

        let (head, ignored, closed) = try await Self.offThePool {
            let ignorer = try TestHTTPClient(port: running.port, timeout: Self.patience)
            try ignorer.send("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let head = try ignorer.readHead()
            return (head, try ignorer.readResponseBody(of: head, method: "POST"), ignorer.isClosedByServer())
        }
        #expect(head.status == 200, "the first response was not the final one")
        #expect(head.header("Connection") == "close")
        #expect(ignored.text == "unread")
        #expect(closed)
    }

    /// A chunked body over `maxBodyBytes`: the application's read throws
    /// the parser's refusal, whose 413 answers (no head went out).
    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        let seen = Locked<[Int]>([])
        let app: AsyncApplication = { environ, startResponse in
            do {
                for try await _ in environ.input.chunks {}
            } catch let error as any RequestError {
                seen.withLock { $0.append(error.status) }
                throw error
            }
            try startResponse("200 OK", [])
            return ["read it all"]
        }
        let running = try Self.serve(.async(app)) { $0.limits.maxBodyBytes = 1000 }
        defer { Self.stop(running) }
        let (response, closed) = try await Self.offThePool {
            let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
            try client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let piece = "1f4\r\n" + String(repeating: "x", count: 500) + "\r\n"
            try client.send(piece + piece + piece)
            return (try client.readResponse(method: "POST"), client.isClosedByServer())
        }
        #expect(response.status == 413)
        #expect(seen.withLock { $0 } == [413])
        #expect(closed)
    }

    /// A client that leaves while the body streams: the task awaiting the
    /// next chunk is cancelled, and the body's onClose runs exactly once.
    @Test func aClientLeavingCancelsTheTask() async throws {
        let cancelled = Locked(false)
        let closes = Locked(0)
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return AsyncBody(next: {
                do {
                    try await Task.sleep(for: .milliseconds(20))
                } catch {
                    if Task.isCancelled { cancelled.withLock { $0 = true } }
                    throw error
                }
                return Array(repeating: UInt8(ascii: "x"), count: 1000)
            }, onClose: { closes.withLock { $0 += 1 } })
        }
        let running = try Self.serve(.async(app))
        defer { Self.stop(running) }
        let (status, settled) = try await Self.offThePool {
            let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
            try client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            let status = try client.readHead().status
            _ = try client.readLine()  // the first chunk's size
            client.close()
            let settled = waitUntil(seconds: Self.patience) { cancelled.withLock { $0 } && closes.withLock { $0 } == 1 }
            usleep(100_000)
            return (status, settled)
        }
        #expect(status == 200)
        #expect(settled, "cancelled: \(cancelled.withLock { $0 }), closes: \(closes.withLock { $0 })")
        #expect(closes.withLock { $0 } == 1)
    }

    /// A choice per request: sync and async applications on one kept-alive connection.
    @Test func aChoiceServesBothKinds() async throws {
        let sync: Application = { environ, startResponse in
            let body = try environ.input.read()
            try startResponse("200 OK", [])
            return ["sync \(body.count)"]
        }
        let async: AsyncApplication = { environ, startResponse in
            let body = try await environ.input.read()
            try startResponse("200 OK", [])
            return ["async \(body.count)"]
        }
        let running = try Self.serve(.choosing { environ in
            environ["PATH_INFO"] == "/async" ? .async(async) : .sync(sync)
        })
        defer { Self.stop(running) }
        let texts = try await Self.offThePool {
            let client = try TestHTTPClient(port: running.port, timeout: Self.patience)
            let body = Array(repeating: UInt8(ascii: "b"), count: 3000)
            return try ["/async", "/sync", "/async"].map { try client.request("POST", $0, body: body).text }
        }
        #expect(texts == ["async 3000", "sync 3000", "async 3000"])
    }

    private static func readable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }
}
