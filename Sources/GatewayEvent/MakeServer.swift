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

/// The same for an async application: each request runs in a task of its
/// own and reads its body as it arrives.
///
/// ```swift
/// let app: AsyncApplication = { environ, startResponse in
///     try await Task.sleep(for: .milliseconds(10))
///     try startResponse("200 OK", [("Content-Type", "text/plain")])
///     return ["slept\n"]
/// }
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: app)
/// ```
public func makeServer(host: String, port: Int, app: @escaping AsyncApplication) throws -> EventServer {
    try EventServer(configuration: EventServerConfiguration(host: host, port: port), app: app)
}

/// The same for a sync or async application, or a choice per request (`AnyApplication`).
public func makeServer(host: String, port: Int, app: AnyApplication) throws -> EventServer {
    try EventServer(configuration: EventServerConfiguration(host: host, port: port), app: app)
}
