/// wsgiref's `demo_app`: "Hello world!" followed by the environ, one
/// `key = value` line each, sorted by key.
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: demoApp)
/// try server.serveForever()
/// ```
public let demoApp: Application = { environ, startResponse in
    var text = "Hello world!\n\n"
    for (key, value) in environ.describedItems {
        text += "\(key) = \(value)\n"
    }
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [text]
}
