/// A whole response over a blocking transport, as wsgiref's
/// `BaseHandler.run` drives it: what the socket server, CGI and the test
/// client call; the libevent server steps the handler itself.
///
/// ```swift
/// let handler = Handler(environ: environ, serverSoftware: "MyServer/1.0")
/// try handler.run(app, on: transport)
/// ```
extension Handler {
    /// Drives the whole response over a blocking transport: head, chunks,
    /// finish, with an abort when the body fails after the head.
    package func run(_ app: Application, on transport: some ResponseTransport) throws {
        defer { finish() }
        let head = start(app)
        try transport.sendHead(head)
        if let file = takeFile() {
            try transport.sendFile(file, length: remaining)
            return try transport.finish()
        }
        do {
            while let chunk = try nextChunk() {
                try transport.sendChunk(chunk)
            }
        } catch {
            transport.abort()
            throw error
        }
        try transport.finish()
    }

    /// Drives an async application's whole response over a blocking
    /// transport, the calling thread waiting for each step (``waitFor(_:)``:
    /// a thread of its own, never one of the cooperative pool's).
    package func run(_ app: @escaping AsyncApplication, on transport: some ResponseTransport) throws {
        defer { finish() }
        let head = try waitFor { await self.start(app) }
        try transport.sendHead(head)
        do {
            while let chunk = try waitFor({ try await self.nextChunk() }) {
                try transport.sendChunk(chunk)
            }
        } catch {
            transport.abort()
            throw error
        }
        try transport.finish()
    }
}
