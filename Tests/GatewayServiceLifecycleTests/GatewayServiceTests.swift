import Foundation
import Gateway
import GatewayEvent
import GatewayServiceLifecycle
import GatewaySocket
import GatewayTesting
import Logging
import ServiceLifecycle
import Testing

/// Both servers under a ServiceGroup: serving once the group runs, drained
/// on its graceful shutdown (new clients refused at once) with a response
/// under way finished.
@Suite("GatewayService")
struct GatewayServiceTests {
    /// Answers after `release` is signalled, so a response is under way at shutdown.
    final class Gate: Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
    }

    /// Runs blocking test I/O on a thread of its own: the cooperative pool
    /// (two threads here) must stay free for the ServiceGroup.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func app(_ gate: Gate) -> Application {
        { environ, startResponse in
            if environ["PATH_INFO"] == "/slow" {
                gate.entered.signal()
                _ = gate.release.wait(timeout: .now() + 60)
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["done"]
        }
    }

    // Generous waits: the group runs on the test's cooperative pool (two
    // threads on a two-core machine), which the rest of a parallel suite
    // can keep busy for many seconds before the group is scheduled.
    @Test(.timeLimit(.minutes(3)), arguments: ["event", "socket"])
    func servesUntilTheGroupShutsDownGracefully(backend: String) async throws {
        let gate = Gate()
        let server: any GatewayServer
        if backend == "event" {
            var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.threads = 1  // the slow request must not hold the loop
            server = try EventServer(configuration: configuration, app: Self.app(gate))
        } else {
            var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.mode = .threads(maximum: 4)
            configuration.shutdownTimeout = 10  // close() lets the response under way finish
            server = try SocketServer(configuration: configuration, app: Self.app(gate))
        }
        let port = server.serverAddress.port
        let group = ServiceGroup(services: [GatewayService(server)], logger: Logger(label: "test"))
        let running = Task { try await group.run() }

        #expect(try await Self.onThread { try TestHTTPClient(port: port, timeout: 60).get("/").text } == "done")

        // A response under way when the shutdown comes still completes.
        async let slow = Self.onThread { try TestHTTPClient(port: port, timeout: 60).get("/slow").text }
        #expect(try await Self.onThread { gate.entered.wait(timeout: .now() + 60) } == .success)
        await group.triggerGracefulShutdown()
        // The listening socket closes first (the stop of a process about to
        // exit): a new client is refused while that response is still held.
        let refused = try await Self.onThread { () -> Bool in
            for _ in 0..<200 {
                guard let client = try? TestHTTPClient(port: port, timeout: 1) else { return true }
                client.close()
                usleep(50_000)
            }
            return false
        }
        #expect(refused, "the listening socket still took connections during the drain")
        gate.release.signal()
        #expect(try await slow == "done")
        try await running.value
        #expect(throws: (any Error).self) { try TestHTTPClient(port: port).get("/") }
    }
}
