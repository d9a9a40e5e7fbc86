import Gateway

/// Middleware: wraps an application in another one (PEP 3333's
/// "middleware components", both server and application), whichever kind
/// the application is: a synchronous `Application`, an
/// `AsyncApplication` or an `AnyApplication`.
///
/// Every middleware of this module (``gzip(_:)``, ``accessLog(format:to:)``,
/// ``requestID(header:)``, ``basicAuth(realm:check:)``,
/// ``catchErrors(debug:)``, ``staticFiles(root:options:)``) wraps both kinds
/// with the same logic: an async application stays async (its awaits hold
/// no thread, its body is transformed as its chunks are awaited).
///
/// ```swift
/// let site = gzip()(siteApp)          // Application
/// let api = gzip()(apiApp)            // AsyncApplication
/// let both = gzip()(urlMap(["/api": .async(apiApp), "/": .sync(siteApp)]))  // AnyApplication
/// ```
///
/// Your own middleware is written for one kind or both:
///
/// ```swift
/// let poweredBy = Middleware { app in
///     { environ, startResponse in
///         try app(environ, StartResponse { status, headers, excInfo in
///             try startResponse(status, headers + [("X-Powered-By", "EventGateway")], excInfo: excInfo)
///         })
///     }
/// }
/// ```
///
/// One given only the synchronous form (``init(_:)``) still wraps an async
/// application, through ``blockingApplication(_:)`` on a thread for blocking
/// work: it works, but holds a thread per request. Give it both forms
/// (``init(sync:async:)``) to keep async applications async.
public struct Middleware: Sendable {
    /// Wraps a synchronous application.
    public typealias SyncWrap = @Sendable (@escaping Application) -> Application
    /// Wraps an async application.
    public typealias AsyncWrap = @Sendable (@escaping AsyncApplication) -> AsyncApplication

    private let wrapSync: SyncWrap
    private let wrapAsync: AsyncWrap

    /// A middleware with a form for each kind of application; the two
    /// should behave alike (the middleware of this module share their logic).
    ///
    /// ```swift
    /// let tag = Middleware(sync: { app in { e, s in try app(e, s) } },
    ///                      async: { app in { e, s in try await app(e, s) } })
    /// ```
    public init(sync: @escaping SyncWrap, async: @escaping AsyncWrap) {
        self.wrapSync = sync
        self.wrapAsync = async
    }

    /// A middleware written for synchronous applications only. An async
    /// application it wraps runs through ``blockingApplication(_:)``, the
    /// wrapped whole through `asyncApplication(_:)`: on a thread
    /// for blocking work, never on the cooperative pool.
    ///
    /// ```swift
    /// let noCache = Middleware { app in
    ///     { environ, startResponse in
    ///         try app(environ, StartResponse { status, headers, excInfo in
    ///             try startResponse(status, headers + [("Cache-Control", "no-store")], excInfo: excInfo)
    ///         })
    ///     }
    /// }
    /// ```
    public init(_ wrap: @escaping SyncWrap) {
        self.wrapSync = wrap
        self.wrapAsync = { app in asyncApplication(wrap(blockingApplication(app))) }
    }

    /// Wraps a synchronous application: `gzip()(app)`.
    public func callAsFunction(_ app: @escaping Application) -> Application { wrapSync(app) }

    /// Wraps an async application; the result is async too: `gzip()(api)`.
    public func callAsFunction(_ app: @escaping AsyncApplication) -> AsyncApplication { wrapAsync(app) }

    /// Wraps either kind, keeping each as it is: a `AnyApplication/choosing(_:)`
    /// wraps whichever application it chooses for the request.
    ///
    /// ```swift
    /// let app = requestID()(urlMap(["/api": .async(api), "/": .sync(site)]))
    /// ```
    public func callAsFunction(_ app: AnyApplication) -> AnyApplication {
        switch app {
        case .sync(let app): return .sync(wrapSync(app))
        case .async(let app): return .async(wrapAsync(app))
        case .choosing(let choose):
            let middleware = self
            return .choosing { environ in middleware(choose(environ)) }
        }
    }
}

/// Composes middleware in reading order: the first one listed sees the
/// request first and the response last.
///
/// ```swift
/// let app = stack(requestID(), accessLog(), gzip(), app: myApp)
/// // = requestID()(accessLog()(gzip()(myApp)))
/// ```
public func stack(_ middleware: Middleware..., app: @escaping Application) -> Application {
    stack(middleware, app: app)
}

/// `stack(_:app:)` over an array.
///
/// ```swift
/// let app = stack([requestID(), gzip()], app: myApp)
/// ```
public func stack(_ middleware: [Middleware], app: @escaping Application) -> Application {
    middleware.reversed().reduce(app) { wrapped, layer in layer(wrapped) }
}

/// Composes middleware around an async application; the result is async.
///
/// ```swift
/// let api: AsyncApplication = stack(requestID(), accessLog(), gzip(), app: asyncAPI)
/// ```
public func stack(_ middleware: Middleware..., app: @escaping AsyncApplication) -> AsyncApplication {
    stack(middleware, app: app)
}

/// Composes middleware around an async application, from an array.
///
/// ```swift
/// let api: AsyncApplication = stack([requestID(), gzip()], app: asyncAPI)
/// ```
public func stack(_ middleware: [Middleware], app: @escaping AsyncApplication) -> AsyncApplication {
    middleware.reversed().reduce(app) { wrapped, layer in layer(wrapped) }
}

/// Composes middleware around either kind of application (a sync site and an
/// async API under `urlMap(_:)`, say).
///
/// ```swift
/// let app = stack(requestID(), gzip(), app: urlMap(["/api": .async(api), "/": .sync(site)]))
/// ```
public func stack(_ middleware: Middleware..., app: AnyApplication) -> AnyApplication {
    stack(middleware, app: app)
}

/// Composes middleware around either kind of application, from an array.
///
/// ```swift
/// let app = stack([requestID(), gzip()], app: AnyApplication.async(api))
/// ```
public func stack(_ middleware: [Middleware], app: AnyApplication) -> AnyApplication {
    middleware.reversed().reduce(app) { wrapped, layer in layer(wrapped) }
}

/// What a middleware decided from a request's head (shared by its sync and async forms).
enum RequestDecision {
    /// Go on to the application, with this environ (`REMOTE_USER` set).
    case pass(Environ)
    /// Answered already: this is the refusal's body.
    case answered(any ResponseBody)
}

/// An application that answers every request with 404 Not Found: the end of
/// a chain of middleware that fall through (``staticFiles(root:options:)``).
public let notFoundApp: Application = { _, startResponse in
    try startResponse("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "10")])
    return ["not found\n"]
}
