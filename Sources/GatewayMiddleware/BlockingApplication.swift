import Gateway

extension AnyApplication {
    /// The same application, each request's environ first passed through
    /// `rewrite`: sync stays sync, async stays async, and a
    /// `AnyApplication/choosing(_:)` chooses from the rewritten environ.
    /// What middleware that only rewrites the environ needs for either kind.
    ///
    /// ```swift
    /// let tagged = app.rewritingEnviron { environ in environ["HTTP_X_TENANT"] = "acme" }
    /// ```
    public func rewritingEnviron(_ rewrite: @escaping @Sendable (inout Environ) -> Void) -> AnyApplication {
        switch self {
        case .sync(let app):
            return .sync { environ, startResponse in
                var environ = environ
                rewrite(&environ)
                return try app(environ, startResponse)
            }
        case .async(let app):
            return .async { environ, startResponse in
                var environ = environ
                rewrite(&environ)
                return try await app(environ, startResponse)
            }
        case .choosing(let choose):
            return .choosing { environ in
                var rewritten = environ
                rewrite(&rewritten)
                return choose(rewritten).rewritingEnviron(rewrite)
            }
        }
    }

    /// The application as an async one: a synchronous one through
    /// `asyncApplication(_:)` (on a thread for blocking work), a
    /// choice made for each request.
    ///
    /// ```swift
    /// let api: AsyncApplication = AnyApplication.sync(legacy).asAsync
    /// ```
    public var asAsync: AsyncApplication {
        switch self {
        case .sync(let app): return asyncApplication(app)
        case .async(let app): return app
        case .choosing:
            let any = self
            return { environ, startResponse in try await any.resolved(for: environ).asAsync(environ, startResponse) }
        }
    }

    /// The application as a synchronous one: an async one through
    /// ``blockingApplication(_:)``, with all its caveats (only on threads
    /// outside Swift's cooperative pool).
    ///
    /// ```swift
    /// let app: Application = AnyApplication.async(api).asBlocking
    /// ```
    public var asBlocking: Application {
        switch self {
        case .sync(let app): return app
        case .async(let app): return blockingApplication(app)
        case .choosing:
            let any = self
            return { environ, startResponse in try any.resolved(for: environ).asBlocking(environ, startResponse) }
        }
    }
}

/// Serves an async application where only a synchronous `Application`
/// fits: each step (the application's call, each chunk of its body) runs in
/// a task while the calling thread blocks until it is done.
///
/// > Warning: Only call the result on a thread outside Swift's cooperative
/// > pool: a server's loop or worker thread, a thread for blocking work
/// > (Dispatch, as `asyncApplication(_:)` uses). Called from a
/// > task (inside an `AsyncApplication`, a `Task`, an async test)
/// > it blocks one of the pool's few threads while waiting for another, and
/// > under load every thread waits: a deadlock. Prefer mounting the async
/// > application as it is (`AnyApplication`, `urlMap(_:)`,
/// > ``Middleware`` wraps both kinds); this is the last resort.
///
/// ```swift
/// let legacyOnly: Application = blockingApplication(asyncAPI)
/// ```
public func blockingApplication(_ app: @escaping AsyncApplication) -> Application {
    { environ, startResponse in
        let call = UnsafeTransfer((environ, startResponse))
        let body = try waitFor { try await app(call.value.0, call.value.1) }
        guard let stream = body as? any AsyncResponseBody else { return body }
        let pull = AsyncChunkPull(stream.makeAsyncChunkIterator())
        return StreamBody(next: { try waitFor { try await pull.next() } }, onClose: stream.close)
    }
}
