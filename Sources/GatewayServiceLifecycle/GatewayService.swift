import Gateway
import GatewayHTTP
import ServiceLifecycle

/// A server of the package as a swift-service-lifecycle `Service`: it serves
/// when the `ServiceGroup` starts it, and on the group's graceful shutdown
/// (or cancellation) it stops as a process about to exit should
/// (`shutdownForExit()`: the listening socket closes first, so new clients are
/// refused at once; what its backlog held and the responses under way are
/// served, up to the server's shutdown deadline), then returns and closes the server.
///
/// ```swift
/// let server = try makeServer(host: "0.0.0.0", port: 8080, app: app)
/// let group = ServiceGroup(services: [GatewayService(server), otherService],
///                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct GatewayService: Service {
    /// The server this service runs; it is closed when ``run()`` returns.
    public let server: any GatewayServer

    /// Wraps a server made with either server module's `makeServer` (or its
    /// initializer), bound but not serving yet.
    public init(_ server: any GatewayServer) {
        self.server = server
    }

    /// Serves until the group shuts down gracefully or the task is cancelled,
    /// then drains and closes the server. `serveForever()` blocks, so it runs on
    /// a thread of its own, never on the cooperative pool. Rethrows what
    /// `serveForever()` throws; throws ``GatewayServiceError/noThread`` when no
    /// thread can be started.
    public func run() async throws {
        let server = self.server
        defer { server.close() }
        try await withTaskCancellationOrGracefulShutdownHandler {
            // serveForever blocks: it gets a thread of its own, not one of the cooperative pool's.
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let started = startDetachedThread {
                    do {
                        try server.serveForever()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                if !started { continuation.resume(throwing: GatewayServiceError.noThread) }
            }
        } onCancelOrGracefulShutdown: {
            // The stop waits for the drain: not on a task's thread. A stop
            // asked before serveForever starts is kept by the server.
            startDetachedThread { server.shutdownForExit() }
        }
    }
}

/// Why a ``GatewayService`` could not run.
public enum GatewayServiceError: Error, CustomStringConvertible {
    /// The thread that runs `serveForever()` could not be started (the process is out of threads).
    case noThread

    /// The reason in words, for logs.
    public var description: String { "no thread could be started for the server" }
}
