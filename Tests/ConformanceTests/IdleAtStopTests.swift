import Foundation
import Gateway
import GatewayEvent
import GatewayProbe
import GatewaySocket
import GatewayTesting
import Testing

/// At a stop for exit, an idle keep-alive connection is closed between
/// requests: it does not hold the stop until its keep-alive timeout or the
/// shutdown deadline.
@Suite("An idle connection at a stop")
struct IdleAtStopTests {
    /// Servers whose keep-alive timeout (60 s) and shutdown deadline (30 s)
    /// both lie far beyond the test's 15 s wait, so only closing the idle
    /// connection at the stop lets it pass.
    static let servers: [(name: String, make: @Sendable () throws -> any GatewayServer)] = [
        ("event", { try event(threads: 0, reactors: 1) }),
        ("event-threads", { try event(threads: 4, reactors: 1) }),
        ("event-reactors", { try event(threads: 0, reactors: 2) }),
        ("socket-threads", { try socket(.threads(maximum: 8)) }),
        ("socket-single", { try socket(.single) }),
    ]

    static func event(threads: Int, reactors: Int) throws -> any GatewayServer {
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threads = threads
        configuration.reactors = reactors
        configuration.limits.keepAliveTimeout = 60
        configuration.shutdownTimeout = 30
        return try EventServer(configuration: configuration, app: probeApp)
    }

    static func socket(_ mode: SocketServerConfiguration.Mode) throws -> any GatewayServer {
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = mode
        configuration.limits.keepAliveTimeout = 60
        configuration.shutdownTimeout = 30
        return try SocketServer(configuration: configuration, app: probeApp)
    }

    @Test(arguments: servers.map(\.name))
    func isClosedAndDoesNotHoldTheStop(server name: String) throws {
        let running = BackgroundServer(try Self.servers.first { $0.name == name }!.make())
        defer { running.stop() }
        let idle = try TestHTTPClient(port: running.port, timeout: 15)
        #expect(try idle.get("/hello").text == "Hello, World!")
        let stopped = DispatchSemaphore(value: 0)
        let server = running.server
        Thread {
            server.shutdownForExit()
            stopped.signal()
        }.start()
        #expect(idle.isClosedByServer(), "\(name): the idle connection was left open")
        #expect(stopped.wait(timeout: .now() + 15) == .success, "\(name): the idle connection held the stop")
    }
}

/// At a stop for exit, a request the client pipelined behind a response
/// still being written is answered before the loop ends: the stop counts
/// it once that response has gone out, not before it was dispatched.
@Suite("A pipelined request at a stop")
struct PipelinedAtStopTests {
    @Test(arguments: [0, 2])
    func isAnsweredBeforeTheLoopEnds(threads: Int) throws {
        let running = BackgroundServer(try IdleAtStopTests.event(threads: threads, reactors: 1))
        defer { running.stop() }
        let port = running.port
        let client = try TestHTTPClient(port: port, timeout: 15)
        // 8 MB the client does not read yet (the socket pushes back), then /hello behind it.
        try client.send("GET /stream?chunks=8&size=1048576 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readHead()
        #expect(head.status == 200)
        let server = running.server
        Thread { server.shutdownForExit() }.start()
        // The stop has closed the listener (a new connection is refused):
        // from here only the connections already accepted are served.
        #expect(waitUntil(seconds: 10) { (try? TestHTTPClient(port: port, timeout: 1)) == nil }, "the listener stayed open")
        let stream = try client.readResponseBody(of: head)
        #expect(stream.body.count == 8 * 1_048_576)
        #expect(try client.readResponse().text == "Hello, World!")
    }
}
