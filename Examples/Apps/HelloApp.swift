import Gateway

/// The minimal application (`gateway serve --app hello`): the same one as
/// Examples/HelloEvent and Examples/HelloSocket, runnable on either server.
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: helloApp)
/// ```
public let helloApp: Application = { environ, startResponse in
    let name = environ["QUERY_STRING"].flatMap { $0.isEmpty ? nil : $0 } ?? "world"
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["Hello, \(name)!\n"]
}
