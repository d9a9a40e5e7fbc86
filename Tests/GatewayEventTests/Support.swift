import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport

/// Starts an event server on 127.0.0.1, port 0, runs `body`, stops the server.
func withEventServer<T>(
    errors: CapturedErrors = CapturedErrors(),
    app: @escaping Application,
    _ body: (BackgroundServer) throws -> T
) throws -> T {
    var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.errors = errors
    let running = BackgroundServer(try EventServer(configuration: configuration, app: app))
    defer { running.stop() }
    return try body(running)
}

/// Answers with the environ, one `key=value` line each.
let environApp: Application = { environ, start in
    var lines = environ.variables.map { "\($0.key)=\($0.value)" }
    let body = try environ.input.read()
    lines.append("body=\(String(decoding: body, as: UTF8.self))")
    lines.append("wsgi.multithread=\(environ.multithread)")
    lines.append("wsgi.multiprocess=\(environ.multiprocess)")
    lines.append("wsgi.run_once=\(environ.runOnce)")
    lines.append("wsgi.input_terminated=\(environ.inputTerminated)")
    lines.append("wsgi.url_scheme=\(environ.urlScheme)")
    try start("200 OK", [("Content-Type", "text/plain")])
    return [lines.joined(separator: "\n")]
}

/// `app`, counting its calls on `calls` (a refused request must not reach it).
func counting(_ app: @escaping Application, _ calls: Counter) -> Application {
    { environ, start in
        calls.increment()
        return try app(environ, start)
    }
}

extension BackgroundServer {
    /// What the event server it runs reports (``EventServer/statistics``).
    var statistics: EventServerStatistics { (server as! EventServer).statistics }
}
