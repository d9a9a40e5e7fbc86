import Foundation
import Gateway
import GatewayEvent
import GatewaySocket
import GatewayProbe
import GatewayTesting
import GatewayTestSupport
import Testing

/// A server on a port, as a test talks to it: one in the test's process or
/// a `gateway serve` process.
protocol RunningServer {
    var port: Int { get }
    func stop()
}

extension BackgroundServer: RunningServer {
    func stop() { _ = stop(timeout: 10) }
}

extension GatewayProcess: RunningServer {
    func stop() { stop(with: SIGTERM) }
}

/// A server of the package, as the conformance suite runs it: every case
/// is written once and runs against each backend listed in `all`.
struct Backend: CustomTestStringConvertible, Sendable {
    let name: String
    /// False for forked workers: the test cannot see what the app did in them.
    var sharesMemory = true
    /// The application is async and reads the body as it arrives: it runs
    /// before the body is complete, and it alone asks for `100 Continue` (by reading).
    var streamsBodies = false
    /// Starts a server; `environment` is for the backends that run a `gateway serve` process.
    let start: @Sendable (
        _ app: @escaping Application, _ errors: CapturedErrors, _ environment: [String: String]
    ) throws -> any RunningServer

    var testDescription: String { name }

    static let event = Backend.event(threads: 0, reactors: 1, "event")

    static func event(threads: Int, reactors: Int, _ name: String) -> Backend {
        Backend(name: name) { app, errors, _ in
            var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.errors = errors
            configuration.threads = threads
            configuration.reactors = reactors
            return BackgroundServer(try EventServer(configuration: configuration, app: app))
        }
    }

    /// The libevent server reading each head before it chooses the
    /// application (as for ``AnyApplication/choosing(_:)``), which is the
    /// synchronous one given: the path of a server that may serve async
    /// applications, for a synchronous one.
    static let eventChoosing = Backend(name: "event-choosing") { app, errors, _ in
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.errors = errors
        return BackgroundServer(try EventServer(configuration: configuration, app: .choosing { _ in .sync(app) }))
    }

    /// The libevent server running the application given as an async one
    /// (``asyncApplication(_:)``): in a task, its body streamed to it as it
    /// arrives, its response awaited chunk by chunk.
    static let eventAsync = Backend(name: "event-async", streamsBodies: true) { app, errors, _ in
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.errors = errors
        return BackgroundServer(try EventServer(configuration: configuration, app: asyncApplication(app)))
    }

    static func socket(_ mode: SocketServerConfiguration.Mode, _ name: String) -> Backend {
        Backend(name: "socket-\(name)") { app, errors, _ in
            var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.mode = mode
            configuration.errors = errors
            configuration.limits.keepAliveTimeout = 2
            return BackgroundServer(try SocketServer(configuration: configuration, app: app))
        }
    }

    /// The socket server running the application given as an async one
    /// (``asyncApplication(_:)``), as ``eventAsync`` does on the libevent server.
    static let socketAsync = Backend(name: "socket-async", streamsBodies: true) { app, errors, _ in
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = .threads(maximum: 32)
        configuration.errors = errors
        configuration.limits.keepAliveTimeout = 2
        return BackgroundServer(try SocketServer(configuration: configuration, app: asyncApplication(app)))
    }

    /// The socket server's fork mode, serving the probe, in a `gateway serve`
    /// process of its own: forked from this many-threaded test process, a
    /// child would hold copies of every other test's open connections (so
    /// their clients never see a close) and could block on a lock another
    /// thread held at the fork. The application passed in is not used
    /// (a ``CallLog`` named in the environment counts the probe's calls).
    static let socketFork = Backend(name: "socket-fork", sharesMemory: false) { _, _, environment in
        try GatewayProcess(
            serve: ["--host", "127.0.0.1", "--port", "0", "--app", "probe", "--backend", "socket",
                    "--socket-mode", "fork", "--no-access-log"],
            environment: environment)
    }

    static let all: [Backend] = [
        .event, .event(threads: 4, reactors: 1, "event-threads"), .event(threads: 2, reactors: 2, "event-reactors"),
        .eventChoosing, .eventAsync,
        .socket(.single, "single"), .socket(.threads(maximum: 32), "threads"), .socketAsync, .socketFork,
    ]
    /// Backends where the application runs in the test's own process.
    static let inProcess: [Backend] = all.filter(\.sharesMemory)

    /// Runs `body` against a fresh server of this backend serving `app`.
    func serve<T>(
        _ app: @escaping Application = probeApp, errors: CapturedErrors = CapturedErrors(),
        environment: [String: String] = [:], _ body: (any RunningServer) throws -> T
    ) throws -> T {
        let running = try start(app, errors, environment)
        defer { running.stop() }
        return try body(running)
    }
}

