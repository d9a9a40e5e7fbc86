import Foundation
import Gateway
import GatewaySocket
import GatewayTesting
import Testing

/// A connection whose request does not arrive within the idle timeout is
/// closed without an answer, as the libevent server closes it: a client
/// idling on a connection must not read a 408 it never asked for.
@Suite("Socket server: a request that never arrives")
struct IdleConnectionTests {
    @Test(arguments: ["", "GET / HTTP/1.1\r\nHost: x\r\n"])
    func isClosedWithoutAnAnswer(sentBeforeGoingQuiet: String) throws {
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = .threads(maximum: 4)
        configuration.limits.idleTimeout = 0.5
        let calls = Locked(0)
        let running = BackgroundServer(try SocketServer(configuration: configuration, app: { _, start in
            calls.withLock { $0 += 1 }
            try start("200 OK", [])
            return [String]()
        }))
        defer { running.stop() }
        let quiet = try TestHTTPClient(port: running.port, timeout: 10)
        if !sentBeforeGoingQuiet.isEmpty { try quiet.send(sentBeforeGoingQuiet) }
        // The server closes it (well before the client's own 10 s wait), and says nothing.
        #expect(try quiet.readToEnd().isEmpty, "an answer came")
        #expect(calls.withLock { $0 } == 0)
        #expect(try TestHTTPClient(port: running.port, timeout: 10).get("/").status == 200)
    }
}
