import Foundation
import Gateway
import GatewayEvent
import GatewaySocket
import GatewayProbe
import GatewayTesting
import Testing

/// A server of the package, as the conformance suite runs it: every case
/// is written once and runs against each backend listed in `all`.
struct Backend: CustomTestStringConvertible, Sendable {
    let name: String
    /// False for forked workers: the test cannot see what the app did in them.
    var sharesMemory = true
    let make: @Sendable (_ app: @escaping Application, _ errors: CapturedErrors) throws -> any GatewayServer

    var testDescription: String { name }

    static let event = Backend.event(threads: 0, reactors: 1, "event")

    static func event(threads: Int, reactors: Int, _ name: String) -> Backend {
        Backend(name: name) { app, errors in
            var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.errors = errors
            configuration.threads = threads
            configuration.reactors = reactors
            return try EventServer(configuration: configuration, app: app)
        }
    }

    static func socket(_ mode: SocketServerConfiguration.Mode, _ name: String) -> Backend {
        var shares = true
        if case .fork = mode { shares = false }
        return Backend(name: "socket-\(name)", sharesMemory: shares) { app, errors in
            var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.mode = mode
            configuration.errors = errors
            configuration.keepAliveTimeout = 2
            return try SocketServer(configuration: configuration, app: app)
        }
    }

    static let all: [Backend] = [
        .event, .event(threads: 4, reactors: 1, "event-threads"), .event(threads: 2, reactors: 2, "event-reactors"),
        .socket(.single, "single"), .socket(.threads(maximum: 32), "threads"), .socket(.fork(maximum: 16), "fork"),
    ]
    /// Backends where the application runs in the test's own process.
    static let inProcess: [Backend] = all.filter(\.sharesMemory)

    /// Runs `body` against a fresh server of this backend serving `app`.
    func serve<T>(
        _ app: @escaping Application = probeApp, errors: CapturedErrors = CapturedErrors(),
        _ body: (BackgroundServer) throws -> T
    ) throws -> T {
        let running = BackgroundServer(try make(app, errors))
        defer { running.stop() }
        return try body(running)
    }
}




/// Runs `body` on `count` threads at once and waits for all; rethrows the first error.
func runConcurrently(count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let group = DispatchGroup()
    let firstError = Locked<(any Error)?>(nil)
    for index in 0..<count {
        group.enter()
        Thread {
            do { try body(index) } catch { firstError.withLock { if $0 == nil { $0 = error } } }
            group.leave()
        }.start()
    }
    _ = group.wait(timeout: .now() + 60)
    if let error = firstError.withLock({ $0 }) { throw error }
}
