import Foundation
import Gateway

/// Runs a server's `serveForever()` on a thread of its own, for tests:
/// start it, talk to its port, stop it. `stop()` shuts down, waits for the
/// thread and closes the server.
///
/// ```swift
/// let running = try BackgroundServer(makeServer(host: "127.0.0.1", port: 0, app: app))
/// defer { running.stop() }
/// let client = try TestHTTPClient(port: running.port)
/// ```
public final class BackgroundServer: Sendable {
    /// The server being run; ask it for its `serverAddress`, or use ``port``.
    public let server: any GatewayServer
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `server.serveForever()` on a new thread and returns at once; the
    /// server is bound already, so clients may connect right away.
    public init(_ server: any GatewayServer) {
        self.server = server
        let finished = self.finished
        let thread = Thread {
            do {
                try server.serveForever()
            } catch {
                FileHandle.standardError.write(Data("serveForever failed: \(error)\n".utf8))
            }
            finished.signal()
        }
        thread.start()
    }

    /// The port the server listens on.
    public var port: Int { server.serverAddress.port }

    /// Shuts the server down, waits (at most `timeout` seconds) for its
    /// thread to return, and closes it. Returns false on a timeout.
    @discardableResult
    public func stop(timeout: Double = 10) -> Bool {
        server.shutdown()
        let done = finished.wait(timeout: .now() + timeout) == .success
        if done { server.close() }
        return done
    }
}
