import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import Synchronization
import Testing

/// Counts requests inside the application at once, and the most seen.
final class Overlap: Sendable {
    private let state = Mutex((now: 0, most: 0))
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
    var now: Int { state.withLock { $0.now } }
}

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
    @Test(arguments: [(0, 1), (4, 1), (2, 2)])
    func blockingRequestsOverlapUpToThePoolSize(threads: Int, reactors: Int) throws {
        let overlap = Overlap()
        try serve({ $0.threads = threads; $0.reactors = reactors }, app: sleepingApp(overlap)) { server in
            let port = server.port
            let statuses = Mutex<[Int]>([])
            let group = DispatchGroup()
            for _ in 0..<4 {
                group.enter()
                Thread {
                    let status = (try? TestHTTPClient(port: port).get("/"))?.status ?? -1
                    statuses.withLock { $0.append(status) }
                    group.leave()
                }.start()
            }
            #expect(group.wait(timeout: .now() + 30) == .success)
            #expect(statuses.withLock { $0 } == [200, 200, 200, 200])
        }
        // Inline, one loop runs one app at a time; a pool of N runs N at once.
        let expected = threads == 0 ? reactors : min(4, threads)
        #expect(overlap.most == expected)
    }

    @Test func shutdownLetsTheResponseUnderWayFinish() throws {
        let overlap = Overlap()
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threads = 2
        let server = try EventServer(configuration: configuration, app: sleepingApp(overlap, milliseconds: 500))
        let running = BackgroundServer(server)
        let result = Mutex<Int?>(nil)
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
        try serve({
            $0.limits.maxBodyBytes = 1000
            $0.limits.maxURILength = 100
            $0.limits.maxHeaderBytes = 2000
        }, app: environApp) { server in
            let body = try TestHTTPClient(port: server.port)
            #expect(try body.request("POST", "/", body: [UInt8](repeating: 0x61, count: 2000)).status == 413)
            let uri = try TestHTTPClient(port: server.port)
            #expect(try uri.get("/" + String(repeating: "u", count: 200)).status == 414)
            let headers = try TestHTTPClient(port: server.port)
            // evhttp 2.1 answers oversized headers with 400, not 431.
            #expect(try headers.get("/", headers: [("X-Big", String(repeating: "h", count: 3000))]).status == 400)
            #expect(try TestHTTPClient(port: server.port).get("/fine").status == 200)
        }
    }

    @Test func idleClientsAreDropped() throws {
        try serve({ $0.limits.idleTimeout = 0.5 }, app: environApp) { server in
            let idle = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(try idle.get("/").status == 200)
            let started = Date()
            #expect(idle.isClosedByServer())
            #expect(Date().timeIntervalSince(started) < 4)
            let silent = try TestHTTPClient(port: server.port, timeout: 5)
            try silent.send("GET / HTTP/1.1\r\nHost: x\r\n")  // never finishes its headers
            #expect(silent.isClosedByServer())
        }
    }

    @Test(arguments: [0, 2])
    func clientVanishingMidStreamClosesTheBody(threads: Int) throws {
        let closes = CloseCounter()
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
