import Gateway

/// Middleware: a function that wraps an `Application` in another one
/// (PEP 3333's "middleware components", both server and application).
///
/// ```swift
/// let poweredBy: Middleware = { app in
///     { environ, startResponse in
///         try app(environ, StartResponse { status, headers, excInfo in
///             try startResponse(status, headers + [("X-Powered-By", "EventGateway")], excInfo: excInfo)
///         })
///     }
/// }
/// ```
public typealias Middleware = @Sendable (@escaping Application) -> Application

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

/// ``stack(_:app:)`` over an array.
public func stack(_ middleware: [Middleware], app: @escaping Application) -> Application {
    middleware.reversed().reduce(app) { wrapped, layer in layer(wrapped) }
}

/// An application that answers every request with 404 Not Found: the end of
/// a chain of middleware that fall through (``staticFiles(root:options:)``).
public let notFoundApp: Application = { _, startResponse in
    try startResponse("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "10")])
    return ["not found\n"]
}
