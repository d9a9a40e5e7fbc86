import Gateway
import GatewayMiddleware

/// Serves the files under `root` (`gateway serve --app static --root DIR`):
/// the static-files middleware, gzip when the client accepts it, and an
/// access log in Common Log Format on `wsgi.errors` (unless `logRequests` is false).
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: staticApp(root: "/srv/www"))
/// ```
public func staticApp(root: String, cacheControl: String? = "public, max-age=60", logRequests: Bool = true) -> Application {
    stack(
        (logRequests ? [accessLog(format: .common)] : []) + [gzip()],
        app: staticFiles(root: root, options: StaticFileOptions(cacheControl: cacheControl))(notFoundApp))
}
