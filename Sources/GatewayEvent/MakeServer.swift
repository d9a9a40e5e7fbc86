import Gateway

/// wsgiref's `make_server(host, port, app)`: a libevent server bound to
/// `host:port` (0 for any free port), ready for ``EventServer/serveForever()``.
///
/// ```swift
/// import GatewayEvent
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: demoApp)
/// try server.serveForever()
/// ```
public func makeServer(host: String, port: Int, app: @escaping Application) throws -> EventServer {
    try EventServer(configuration: EventServerConfiguration(host: host, port: port), app: app)
}
