/// What every server of the package offers, in the shape of Python's
/// `wsgiref.simple_server.WSGIServer`, so code written against it runs on any.
///
/// ```swift
/// func serveInBackground(_ server: any GatewayServer) -> Thread { ... }
/// let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
/// print(server.serverAddress.port)   // the port the kernel chose
/// try server.serveForever()          // until shutdown() from another thread
/// ```
public protocol GatewayServer: AnyObject, Sendable {
    /// The address the server listens on; the real port after binding port 0.
    var serverAddress: ServerAddress { get }
    /// Serves requests until ``shutdown()``. Throws ``GatewayServerError``
    /// when the server is closed or another thread serves already.
    func serveForever() throws
    /// Serves exactly one request, then returns (throws as ``serveForever()``).
    func handleRequest() throws
    /// Stops ``serveForever()``; callable from any thread. Returns once the
    /// loop has stopped (at once when called from the loop itself).
    func shutdown()
    /// Releases the listening socket and everything else the server holds.
    func close()
    /// Stops ``serveForever()`` gracefully when one of `signals` arrives
    /// (e.g. `[SIGINT, SIGTERM]`), letting responses under way finish.
    /// The stop is ``shutdownForExit()``'s.
    func stopOnSignals(_ signals: [Int32])
    /// Stops ``serveForever()`` for good, as a process about to exit needs:
    /// the listening socket takes no new connection (clients are refused at
    /// once, so a load balancer retries them elsewhere), what its backlog
    /// already held is served, responses under way finish (up to the
    /// configuration's `shutdownTimeout`) and idle keep-alive connections
    /// close. ``shutdown()``, by contrast, keeps the socket for a later
    /// ``serveForever()``. Callable from any thread; returns once
    /// ``serveForever()`` has returned (at once from the loop itself).
    ///
    /// ```swift
    /// // a supervisor's stop, on a thread of its own:
    /// server.shutdownForExit()
    /// server.close()
    /// ```
    func shutdownForExit()
}
