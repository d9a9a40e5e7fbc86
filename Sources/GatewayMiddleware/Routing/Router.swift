import Gateway

/// Routes requests by method and path to applications, with path parameters
/// (werkzeug's routing, for PEP 3333 applications):
///
/// ```swift
/// var router = Router(errors: .json)
/// router.get("/items") { _, startResponse in try startResponse.json(store.all) }
/// router.post("/items") { environ, startResponse in
///     let item = store.create(try environ.decodeJSON(ItemInput.self))
///     return try startResponse.json(item, status: .created, headers: [("Location", "/items/\(item.id)")])
/// }
/// router.get("/items/:id") { environ, startResponse in
///     let id = try environ.pathParameters.require("id", as: Int.self)
///     guard let item = store.get(id) else { throw NoSuchItem() }   // an HTTPError: 404
///     return try startResponse.json(item)
/// }
/// router.mount("/static", staticFiles(root: "/srv/www")(notFoundApp))
/// let app = router.application
/// ```
///
/// - A pattern is matched against the whole of `PATH_INFO` (percent-decoded
///   by the server), segment by segment: a literal segment must be equal, a
///   `:name` segment takes any non-empty one and is read with
///   ``Gateway/Environ/pathParameters``. A trailing slash counts (`/items/`
///   is not `/items`); an empty `PATH_INFO` is `/`.
/// - Where several patterns match, a literal segment beats a parameter at
///   the first place they differ (`/items/new` before `/items/:id`), and the
///   first of them that takes the method answers.
/// - HEAD is answered by the GET route unless a HEAD route matches; the
///   server sends its headers (`Content-Length` included) without the body.
/// - A path some route matches, but not with this method: 405 with `Allow`
///   (HEAD listed with GET). No route at all: the mounts, longest first,
///   then 404.
/// - `mount(_:_:)` hands every method under a prefix to an application,
///   moving the prefix from `PATH_INFO` to `SCRIPT_NAME` as `urlMap(_:)`
///   does; prefixes take parameters too (`/users/:user`), and an inner
///   router's parameters add to them.
/// - The router reads `PATH_INFO`, so it can itself be mounted (by
///   `urlMap(_:)` or another router) and keeps working.
/// - An ``HTTPError`` a route throws before its response went out is
///   answered with its status and message, worded by ``errors``, as the
///   router's own 404 and 405 are. Other errors go on to the server (a 500)
///   or to ``catchErrors(debug:)``.
public struct Router: Sendable {
    private struct Route: Sendable {
        let methods: [String]
        let pattern: RoutePattern
        let app: AnyApplication
        let order: Int
    }

    private struct Mount: Sendable {
        let pattern: RoutePattern
        let app: AnyApplication
    }

    private var routes: [Route] = []
    private var mounts: [Mount] = []

    /// How the router's own answers and the routes' ``HTTPError``s are worded.
    public var errors: ErrorResponder

    /// An empty router; `errors: .json` for an API.
    public init(errors: ErrorResponder = .plainText) {
        self.errors = errors
    }

    /// Routes requests with one of `methods` (`["GET", "POST"]`, as sent:
    /// methods are case-sensitive) and a path matching `pattern` to `app`.
    /// The same method and pattern twice is a programming error.
    public mutating func route(_ methods: [String], _ pattern: String, _ app: @escaping Application) {
        route(methods, pattern, AnyApplication.sync(app))
    }

    /// Routes requests to an async application: served as async by
    /// ``anyApplication``, so its awaits hold no thread.
    ///
    /// ```swift
    /// router.route(["GET"], "/slow") { _, startResponse in
    ///     try await Task.sleep(for: .milliseconds(10))
    ///     try startResponse("200 OK", [("Content-Type", "text/plain")])
    ///     return ["done\n"]
    /// }
    /// ```
    public mutating func route(_ methods: [String], _ pattern: String, _ app: @escaping AsyncApplication) {
        route(methods, pattern, AnyApplication.async(app))
    }

    /// Routes requests to an application of either kind.
    ///
    /// ```swift
    /// router.route(["GET"], "/items", .async(listItems))
    /// ```
    public mutating func route(_ methods: [String], _ pattern: String, _ app: AnyApplication) {
        let parsed = RoutePattern(pattern, forMount: false)
        for route in routes where route.pattern.segments == parsed.segments {
            precondition(Set(route.methods).isDisjoint(with: methods), "route \(methods) \(pattern) registered twice")
        }
        routes.append(Route(methods: methods, pattern: parsed, app: app, order: routes.count))
        // Most specific first; registration order among equals.
        routes.sort { $0.pattern.isMoreSpecific(than: $1.pattern) || (!$1.pattern.isMoreSpecific(than: $0.pattern) && $0.order < $1.order) }
    }

    /// Routes GET (and so HEAD) requests for `pattern` to `app`.
    public mutating func get(_ pattern: String, _ app: @escaping Application) { route(["GET"], pattern, app) }
    /// Routes POST requests for `pattern` to `app`.
    public mutating func post(_ pattern: String, _ app: @escaping Application) { route(["POST"], pattern, app) }
    /// Routes PUT requests for `pattern` to `app`.
    public mutating func put(_ pattern: String, _ app: @escaping Application) { route(["PUT"], pattern, app) }
    /// Routes PATCH requests for `pattern` to `app`.
    public mutating func patch(_ pattern: String, _ app: @escaping Application) { route(["PATCH"], pattern, app) }
    /// Routes DELETE requests for `pattern` to `app`.
    public mutating func delete(_ pattern: String, _ app: @escaping Application) { route(["DELETE"], pattern, app) }

    /// Routes GET (and so HEAD) requests for `pattern` to an async application.
    ///
    /// ```swift
    /// router.get("/items") { _, startResponse in try startResponse.json(await store.all()) }
    /// ```
    public mutating func get(_ pattern: String, _ app: @escaping AsyncApplication) { route(["GET"], pattern, app) }
    /// Routes POST requests for `pattern` to an async application.
    ///
    /// ```swift
    /// router.post("/items") { environ, startResponse in
    ///     try startResponse.json(await store.create(try await environ.decodeJSON(ItemInput.self)), status: .created)
    /// }
    /// ```
    public mutating func post(_ pattern: String, _ app: @escaping AsyncApplication) { route(["POST"], pattern, app) }
    /// Routes PUT requests for `pattern` to an async application.
    ///
    /// ```swift
    /// router.put("/items/:id") { environ, startResponse in try await replaceItem(environ, startResponse) }
    /// ```
    public mutating func put(_ pattern: String, _ app: @escaping AsyncApplication) { route(["PUT"], pattern, app) }
    /// Routes PATCH requests for `pattern` to an async application.
    ///
    /// ```swift
    /// router.patch("/items/:id") { environ, startResponse in try await updateItem(environ, startResponse) }
    /// ```
    public mutating func patch(_ pattern: String, _ app: @escaping AsyncApplication) { route(["PATCH"], pattern, app) }
    /// Routes DELETE requests for `pattern` to an async application.
    ///
    /// ```swift
    /// router.delete("/items/:id") { environ, startResponse in try await deleteItem(environ, startResponse) }
    /// ```
    public mutating func delete(_ pattern: String, _ app: @escaping AsyncApplication) { route(["DELETE"], pattern, app) }

    /// Hands every request whose path starts with the whole segments of
    /// `prefix` (`/static`, `/users/:user`; `/` for everything) to `app`,
    /// when no route matches the path. The matched part moves to
    /// `SCRIPT_NAME`, the rest stays in `PATH_INFO`: `GET /static/a.css`
    /// reaches `app` with `SCRIPT_NAME` `/static` and `PATH_INFO` `/a.css`.
    public mutating func mount(_ prefix: String, _ app: @escaping Application) {
        mount(prefix, AnyApplication.sync(app))
    }

    /// `mount(_:_:)` for an async application, or one of either kind.
    ///
    /// ```swift
    /// router.mount("/api", .async(api))
    /// router.mount("/static", .sync(staticFiles(root: "/srv/www")(notFoundApp)))
    /// ```
    public mutating func mount(_ prefix: String, _ app: AnyApplication) {
        mounts.append(Mount(pattern: RoutePattern(prefix, forMount: true), app: app))
        // Longest first, then most specific; a stable sort keeps registration order among equals.
        mounts.sort {
            $0.pattern.segments.count != $1.pattern.segments.count
                ? $0.pattern.segments.count > $1.pattern.segments.count
                : $0.pattern.isMoreSpecific(than: $1.pattern)
        }
    }

    /// The router as an application, as it is now (routes added later are
    /// not in it). Async routes and mounts are served through
    /// ``blockingApplication(_:)`` here, which is only valid off Swift's
    /// cooperative pool: serve ``anyApplication`` instead when the router
    /// has any.
    public var application: Application {
        let router = self
        return { environ, startResponse in
            switch router.decide(environ) {
            case .route(let app, let parameters, let matched):
                let environ = Self.adjusted(environ, parameters: parameters, matched: matched)
                return try router.answer(app.asBlocking, environ, startResponse)
            case .respond(let status, let message, let headers):
                return try router.errors.respond(status, message, headers, nil, startResponse)
            }
        }
    }

    /// The router as an `AnyApplication`: the route is chosen from
    /// the request's head, and a sync route is served as sync, an async one
    /// as async (in a task, its body read as it arrives), with the same
    /// parameters, mounts and error answers as ``application``.
    ///
    /// ```swift
    /// var router = Router(errors: .json)
    /// router.get("/items") { _, startResponse in try startResponse.json(await store.all()) }
    /// router.mount("/static", staticFiles(root: "/srv/www")(notFoundApp))
    /// let server = try makeServer(host: "127.0.0.1", port: 8000, app: router.anyApplication)
    /// ```
    public var anyApplication: AnyApplication {
        let router = self
        return .choosing { environ in
            switch router.decide(environ) {
            case .route(let app, let parameters, let matched):
                let answering = Middleware(sync: { app in
                    { environ, startResponse in try router.answer(app, environ, startResponse) }
                }, async: { app in
                    { environ, startResponse in try await router.answer(app, environ, startResponse) }
                })
                return answering(app.rewritingEnviron { environ in
                    environ = Self.adjusted(environ, parameters: parameters, matched: matched)
                })
            case .respond(let status, let message, let headers):
                return .sync { _, startResponse in try router.errors.respond(status, message, headers, nil, startResponse) }
            }
        }
    }

    /// What the router does with a request, decided from its method and path.
    private enum Decision {
        /// Run `app`, with the route's parameters added and, for a mount,
        /// the first `matched` UTF-8 bytes of `PATH_INFO` moved to `SCRIPT_NAME`.
        case route(AnyApplication, parameters: [(String, String)], matched: Int?)
        /// The router's own answer: 404, or 405 with `Allow`.
        case respond(ResponseStatus, String, [(String, String)])
    }

    private func decide(_ environ: Environ) -> Decision {
        let method = environ["REQUEST_METHOD"] ?? "GET"
        let path = environ["PATH_INFO"] ?? ""
        let segments = RoutePattern.split(Substring(path))
        var allowed: Set<String> = []
        var getForHead: (Route, [(String, String)])?
        for route in routes {
            guard let parameters = route.pattern.match(segments) else { continue }
            if route.methods.contains(method) {
                return .route(route.app, parameters: parameters, matched: nil)
            }
            if method == "HEAD", getForHead == nil, route.methods.contains("GET") {
                getForHead = (route, parameters)
            }
            allowed.formUnion(route.methods)
        }
        if let (route, parameters) = getForHead {
            return .route(route.app, parameters: parameters, matched: nil)
        }
        if !allowed.isEmpty {
            if allowed.contains("GET") { allowed.insert("HEAD") }
            return .respond(.methodNotAllowed, "method not allowed", [("Allow", allowed.sorted().joined(separator: ", "))])
        }
        for mount in mounts {
            guard let parameters = mount.pattern.matchPrefix(segments) else { continue }
            let count = mount.pattern.segments.count
            let end = count == 0 ? path.startIndex : segments[count - 1].endIndex
            return .route(mount.app, parameters: parameters, matched: path.utf8.distance(from: path.startIndex, to: end))
        }
        return .respond(.notFound, "not found", [])
    }

    /// The environ a route's application sees: its parameters added, a
    /// mount's prefix moved from `PATH_INFO` to `SCRIPT_NAME`.
    private static func adjusted(_ environ: Environ, parameters: [(String, String)], matched: Int?) -> Environ {
        var environ = environ
        if let matched {
            let path = environ["PATH_INFO"] ?? ""
            let end = path.utf8.index(path.startIndex, offsetBy: min(matched, path.utf8.count))
            environ = shiftedEnviron(environ, matched: path[..<end], rest: path[end...])
        }
        if !parameters.isEmpty { environ.pathParameters = environ.pathParameters.adding(parameters) }
        return environ
    }

    /// Runs `app`; an ``HTTPError`` it throws becomes the response
    /// (`excInfo` replaces one it had started).
    private func answer(_ app: Application, _ environ: Environ, _ startResponse: StartResponse) throws -> any ResponseBody {
        do {
            return try app(environ, startResponse)
        } catch let error as any HTTPError {
            return try errors.respond(ResponseStatus(code: error.status), error.message, [], error, startResponse)
        }
    }

    /// ``answer(_:_:_:)`` for an async route.
    private func answer(_ app: AsyncApplication, _ environ: Environ, _ startResponse: StartResponse) async throws -> any ResponseBody {
        do {
            return try await app(environ, startResponse)
        } catch let error as any HTTPError {
            return try errors.respond(ResponseStatus(code: error.status), error.message, [], error, startResponse)
        }
    }
}
