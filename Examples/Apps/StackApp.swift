import Gateway
import GatewayMiddleware

/// One process composing every middleware (`gateway serve --app stack --root DIR`):
///
/// | path | application |
/// | --- | --- |
/// | `/api/...` | ``itemsAPI(store:)`` |
/// | `/static/...` | the files under `root` |
/// | `/echo/...` | ``echoApp`` (shows `SCRIPT_NAME` and `PATH_INFO`) |
/// | `/admin/...` | behind Basic authentication: `adminCredentials` is `user:password` (the command reads `STACK_ADMIN`); nil refuses everyone |
///
/// all wrapped, outermost first, in request id, access log, error catcher and gzip.
public func stackApp(root: String, adminCredentials: String?, debug: Bool = false, logRequests: Bool = true) -> Application {
    let admin = basicAuth(realm: "admin") { user, password in
        guard let adminCredentials else { return false }
        return constantTimeEquals("\(user):\(password)", adminCredentials)
    }(adminApp)
    let map = urlMap([
        "/api": itemsAPI(),
        "/static": staticFiles(root: root, options: StaticFileOptions(cacheControl: "public, max-age=60"))(notFoundApp),
        "/echo": echoApp,
        "/admin": admin,
    ])
    let log = logRequests ? [accessLog(format: .combined)] : []
    return stack([requestID()] + log + [catchErrors(debug: debug), gzip()], app: map)
}

private let adminApp: Application = { environ, startResponse in
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")])
    return ["Welcome, \(environ["REMOTE_USER"] ?? "?").\n"]
}

/// Compares without stopping at the first difference (timing leaks nothing but the length).
private func constantTimeEquals(_ left: String, _ right: String) -> Bool {
    let a = Array(left.utf8), b = Array(right.utf8)
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
