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
