import Gateway

/// wsgiref's `make_server(host, port, app)`: a pure-socket server bound to
/// `host:port` (0 for any free port), one connection at a time.
///
/// ```swift
/// import GatewaySocket
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: demoApp)
/// try server.serveForever()
/// ```
public func makeServer(host: String, port: Int, app: @escaping Application) throws -> SocketServer {
    try SocketServer(configuration: SocketServerConfiguration(host: host, port: port), app: app)
}

/// The same for an async application: each request still has a thread of
/// its connection, which waits for the application's task without blocking
/// the cooperative pool, and feeds it the body as it arrives.
///
/// ```swift
/// import GatewaySocket
/// let app: AsyncApplication = { environ, startResponse in
///     try await Task.sleep(for: .milliseconds(10))
///     try startResponse("200 OK", [("Content-Type", "text/plain")])
///     return ["slept\n"]
/// }
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: app)
/// try server.serveForever()
/// ```
public func makeServer(host: String, port: Int, app: @escaping AsyncApplication) throws -> SocketServer {
    try SocketServer(configuration: SocketServerConfiguration(host: host, port: port), app: app)
}

/// The same for a sync or async application, or a choice per request (`AnyApplication`).
///
/// ```swift
/// let app: AnyApplication = .choosing { environ in
///     environ["REQUEST_METHOD"] == "PUT" ? .async(upload) : .sync(demoApp)
/// }
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: app)
/// ```
public func makeServer(host: String, port: Int, app: AnyApplication) throws -> SocketServer {
    try SocketServer(configuration: SocketServerConfiguration(host: host, port: port), app: app)
}
