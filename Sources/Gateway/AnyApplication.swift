/// What a server serves: a synchronous ``Application``, an ``AsyncApplication``,
/// or a choice between them made for each request.
///
/// The choice is made from the request's environ as soon as its head has
/// arrived, before its body: an async application reads the body as it
/// arrives, a synchronous one is given it whole.
///
/// ```swift
/// let app: AnyApplication = .choosing { environ in
///     (environ["PATH_INFO"] ?? "").hasPrefix("/api/") ? .async(api) : .sync(site)
/// }
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: app)
/// ```
public enum AnyApplication: Sendable {
    /// A synchronous application: inline on the loop, or on the worker pool.
    case sync(Application)
    /// An async application: a task of its own for each request.
    case async(AsyncApplication)
    /// Asks the closure, for each request, which application serves it.
    case choosing(@Sendable (Environ) -> AnyApplication)

    /// The application that serves the request of `environ`: never ``choosing(_:)``.
    public func resolved(for environ: Environ) -> AnyApplication {
        var current = self
        while case .choosing(let choose) = current { current = choose(environ) }
        return current
    }

    /// Whether any request could be served by an async application (a
    /// server then reads the head of each request before deciding how to
    /// take its body).
    package var mayBeAsync: Bool {
        if case .sync = self { return false }
        return true
    }
}
