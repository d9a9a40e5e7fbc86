import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Synchronization
import Testing

/// Async applications on the libevent server: bodies read as they arrive,
/// with backpressure both ways, `100 Continue` on the first read, the body
/// limits, cancellation when the client leaves, errors before and after
/// the head.
@Suite struct AsyncApplicationTests {
    @Test func aBodyReachesTheApplicationWhileItIsStillArriving() throws {
        let firstChunk = Counter()
        let app: AsyncApplication = { environ, startResponse in
            var total = 0
            for try await chunk in environ.input.chunks {
                if total == 0 { firstChunk.increment() }
                total += chunk.count
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(total)"]
        }
        try withAsyncServer(app) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n")
            try client.send([UInt8](repeating: 1, count: 1000))
            // The rest is sent only once the application has the first part:
            // a server that waited for the whole body would never answer.
            #expect(waitUntil { firstChunk.value == 1 })
            try client.send([UInt8](repeating: 2, count: 199_000))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "200000")
        }
    }

    @Test func aBodyTheApplicationDoesNotReadStopsTheClientSending() throws {
        let release = AsyncGate()
        let app: AsyncApplication = { environ, startResponse in
            await release.wait()
            var total = 0
            for try await chunk in environ.input.chunks { total += chunk.count }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(total)"]
        }
        let size = 48 << 20
        try withAsyncServer(app, configure: { $0.limits.maxBodyBytes = size }) { server in
            let client = try TestHTTPClient(port: server.port, timeout: 1)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n")
            // Sends until the socket pushes back for a second: the server
            // holds a bounded part; the kernel's buffers, the rest of what went.
            let block = [UInt8](repeating: 7, count: 64 * 1024)
            var sent = 0
            while sent < size, (try? client.send(block)) != nil { sent += block.count }
            #expect(sent < size / 2, "the client sent \(sent) of \(size) bytes to an application that read none")
            release.open()
            let rest = try TestHTTPClient.Sender(client.descriptor)
            try rest.send(count: size - sent, block: block)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "\(size)")
        }
    }

    @Test func continueGoesOutOnlyWhenTheApplicationReads() throws {
        let app: AsyncApplication = { environ, startResponse in
            if environ["PATH_INFO"] == "/refuse" {
                try startResponse("413 Content Too Large", [("Content-Type", "text/plain"), ("Content-Length", "0")])
                return [String]()
            }
            let body = try await environ.input.read()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(body.count)"]
        }
        try withAsyncServer(app) { server in
            let reader = try TestHTTPClient(port: server.port)
            try reader.send("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try reader.readHead()
            #expect(interim.status == 100)
            try reader.send("hello")
            let response = try reader.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "5")

            let refuser = try TestHTTPClient(port: server.port)
            try refuser.send("POST /refuse HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            // The first thing back is the final answer: no 100 for a body nobody reads.
            let head = try refuser.readHead()
            #expect(head.status == 413)
        }
    }

    @Test func aChunkedBodyOverTheLimitFailsTheReadWith413() throws {
        let readFailed = Counter()
        let app: AsyncApplication = { environ, startResponse in
            do {
                _ = try await environ.input.read()
            } catch let error as any RequestError {
                readFailed.increment()
                throw error
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["read"]
        }
        try withAsyncServer(app, configure: { $0.limits.maxBodyBytes = 1000 }) { server in
            let client = try TestHTTPClient(port: server.port)
            let chunk = String(repeating: "a", count: 800)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection")?.lowercased() == "close")
            #expect(readFailed.value == 1)
        }
    }

    @Test func aDeclaredBodyOverTheLimitIsRefusedWithoutCallingTheApplication() throws {
        let calls = Counter()
        let app: AsyncApplication = { _, startResponse in
            calls.increment()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["called"]
        }
        try withAsyncServer(app, configure: { $0.limits.maxBodyBytes = 1000 }) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(calls.value == 0)
        }
    }

    @Test func aStalledBodyFailsTheReadWith408() throws {
        let app: AsyncApplication = { environ, startResponse in
            let body = try await environ.input.read()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(body.count)"]
        }
        try withAsyncServer(app, configure: { $0.limits.requestTimeout = 1 }) { server in
            let client = try TestHTTPClient(port: server.port, timeout: 15)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part")
            let response = try client.readResponse()
            #expect(response.status == 408)
        }
    }

    @Test func aClientThatLeavesCancelsTheTaskAndTheBodyClosesOnce() throws {
        let cancelled = Counter()
        let closed = Counter()
        let app: AsyncApplication = { environ, startResponse in
            if environ["PATH_INFO"] == "/wait" {
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch is CancellationError {
                    cancelled.increment()
                    throw CancellationError()
                }
                return [String]()
            }
            try startResponse("200 OK", [("Content-Type", "application/octet-stream")])
            let block = [UInt8](repeating: 0, count: 64 * 1024)
            return AsyncBody(next: {
                do {
                    try await Task.sleep(for: .milliseconds(5))
                } catch {
                    cancelled.increment()
                    throw error
                }
                return block
            }, onClose: { closed.increment() })
        }
        try withAsyncServer(app) { server in
            let waiting = try TestHTTPClient(port: server.port)
            try waiting.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n")
            // Closing before the application answered cancels its sleep.
            usleep(100_000)
            waiting.close()
            #expect(waitUntil { cancelled.value == 1 })

            let streaming = try TestHTTPClient(port: server.port)
            try streaming.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = try streaming.readHead()
            streaming.close()
            #expect(waitUntil { cancelled.value == 2 && closed.value == 1 })
            usleep(200_000)
            #expect(closed.value == 1)
        }
    }

    @Test func anEndlessBodyIsPulledOnlyAsFastAsTheClientReads() throws {
        let pulled = Counter()
        let closed = Counter()
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "application/octet-stream")])
            let block = [UInt8](repeating: 0, count: 64 * 1024)
            return AsyncBody(next: {
                pulled.increment()
                return block
            }, onClose: { closed.increment() })
        }
        try withAsyncServer(app) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /forever HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = try client.readHead()
            // The client reads nothing more: pulling stops once the socket's
            // buffers are full, instead of growing the server's memory.
            let held = settledValue { pulled.value }
            #expect(held != nil)
            #expect((held ?? .max) * 64 * 1024 < 64 << 20, "pulled \(held ?? -1) chunks for a client that read none")
            client.close()
            #expect(waitUntil { closed.value == 1 })
        }
    }

    @Test func anErrorBeforeTheHeadIs500AndAfterItCutsTheConnection() throws {
        struct Failure: Error {}
        let app: AsyncApplication = { environ, startResponse in
            if environ["PATH_INFO"] == "/before" {
                try await Task.sleep(for: .milliseconds(1))
                throw Failure()
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            var sent = false
            return AsyncBody(next: {
                guard !sent else { throw Failure() }
                sent = true
                return Array("partial".utf8)
            })
        }
        let errors = CapturedErrors()
        try withAsyncServer(app, errors: errors) { server in
            let before = try TestHTTPClient(port: server.port).get("/before")
            #expect(before.status == 500)

            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(head.header("Transfer-Encoding") == "chunked")
            // The body is cut: its last chunk never comes, the connection closes.
            #expect(throws: (any Error).self) { _ = try client.readResponseBody(of: head) }
            #expect(errors.text.contains("Failure"))
        }
    }

    @Test func syncAndAsyncApplicationsShareAServerChosenPerRequest() throws {
        let app: AnyApplication = .choosing { environ in
            if environ["PATH_INFO"] == "/async" {
                return .async({ environ, startResponse in
                    let body = try await environ.input.read()
                    try startResponse("200 OK", [("Content-Type", "text/plain")])
                    return ["async \(body.count)"]
                })
            }
            return .sync({ environ, startResponse in
                let body = try environ.input.read()
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return ["sync \(body.count)"]
            })
        }
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threads = 2
        let running = BackgroundServer(try EventServer(configuration: configuration, app: app))
        defer { running.stop() }
        let client = try TestHTTPClient(port: running.port)
        for (path, expected) in [("/async", "async 3"), ("/sync", "sync 3"), ("/async", "async 3"), ("/sync", "sync 3")] {
            let response = try client.request("POST", path, body: Array("abc".utf8))
            #expect(response.text == expected)
        }
    }
}

/// Starts an event server for an async application, runs `body`, stops it.
private func withAsyncServer<T>(
    _ app: @escaping AsyncApplication, errors: CapturedErrors = CapturedErrors(),
    configure: (inout EventServerConfiguration) -> Void = { _ in },
    _ body: (BackgroundServer) throws -> T
) throws -> T {
    var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.errors = errors
    configure(&configuration)
    let running = BackgroundServer(try EventServer(configuration: configuration, app: app))
    defer { running.stop() }
    return try body(running)
}

/// Polls `condition` every 10 ms for up to `seconds`.
private func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    for _ in 0..<Int(seconds * 100) {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Holds async applications until the test opens it (bounded: 60 s).
private final class AsyncGate: Sendable {
    private let opened = Mutex(false)
    func open() { opened.withLock { $0 = true } }
    func wait() async {
        for _ in 0..<30_000 where !opened.withLock({ $0 }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

extension TestHTTPClient {
    /// Sends the rest of a large body on a socket whose sends time out:
    /// a timeout only means the server has not read yet.
    struct Sender {
        let descriptor: Int32
        init(_ descriptor: Int32) throws { self.descriptor = descriptor }

        func send(count: Int, block: [UInt8]) throws {
            var left = count
            var stalls = 0
            while left > 0 {
                let size = min(left, block.count)
                let sent = block.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, size, Int32(MSG_NOSIGNAL)) }
                if sent > 0 {
                    left -= sent
                    stalls = 0
                } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                    stalls += 1
                    if stalls > 30 { throw TestClientError.closed }
                } else {
                    throw TestClientError.closed
                }
            }
        }
    }
}
