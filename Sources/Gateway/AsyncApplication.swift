/// An async gateway application: ``Application``'s contract, awaited.
///
/// The server calls it once per request with the request's ``Environ`` and a
/// ``StartResponse``. It may await anything (a database, another service)
/// without holding a thread: the server's loop goes on serving everyone else.
/// The request body arrives while the application reads it, and the body it
/// returns may be an ``AsyncBody``, pulled only as fast as the client takes it.
///
/// ```swift
/// let app: AsyncApplication = { environ, startResponse in
///     var size = 0
///     for try await chunk in environ.input.chunks { size += chunk.count }
///     try await Task.sleep(for: .milliseconds(10))
///     try startResponse("200 OK", [("Content-Type", "text/plain")])
///     return ["read \(size) bytes\n"]
/// }
/// ```
///
/// A throw before the headers went out becomes a 500 response (the status
/// of a ``RequestError``, such as a body over the size limit); after, the
/// connection is cut. A client that leaves cancels the task the application
/// runs in: its awaits throw `CancellationError`.
public typealias AsyncApplication = @Sendable (Environ, StartResponse) async throws -> any ResponseBody

/// Serves a synchronous application where an async one is expected (in
/// async middleware, say). The application, and each chunk of a body it
/// produces on the fly, runs on a thread for blocking work, never on the
/// cooperative pool that async code shares.
///
/// ```swift
/// let app: AsyncApplication = asyncApplication(legacyApp)
/// ```
public func asyncApplication(_ app: @escaping Application) -> AsyncApplication {
    { environ, startResponse in
        let call = UnsafeTransfer((environ, startResponse))
        let body = try await BlockingWork.run { try app(call.value.0, call.value.1) }.value
        // Bodies in memory and async ones need no thread of their own.
        if body is any AsyncResponseBody || body.chunkCount != nil { return body }
        return AsyncBody(blocking: body)
    }
}
