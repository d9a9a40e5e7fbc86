import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// An application that serves the regular files under `root`, by
/// `PATH_INFO`, as ``FileWrapper`` bodies (sent with sendfile by the servers
/// that can). `..` segments and anything but regular files get 404; methods
/// other than GET and HEAD get 405.
///
/// ```swift
/// let app = staticFiles(root: "/srv/www")
/// // GET /css/site.css -> /srv/www/css/site.css
/// ```
public func staticFiles(root: String) -> Application {
    let root = root.hasSuffix("/") ? String(root.dropLast()) : root
    return { environ, startResponse in
        let method = environ["REQUEST_METHOD"] ?? "GET"
        guard method == "GET" || method == "HEAD" else {
            try startResponse("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain"), ("Content-Length", "19")])
            return ["method not allowed\n"]
        }
        let path = environ["PATH_INFO"] ?? "/"
        let segments = path.split(separator: "/")
        guard !segments.contains(where: { $0 == ".." || $0 == "." }), !path.contains("\0") else {
            return try notFound(startResponse)
        }
        let filePath = root + "/" + segments.joined(separator: "/")
        var info = stat()
        guard stat(filePath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let file = try? FileWrapper(path: filePath)
        else { return try notFound(startResponse) }
        try startResponse("200 OK", [
            ("Content-Type", contentType(forPath: filePath)),
            ("Content-Length", String(info.st_size)),
            ("Last-Modified", HTTPDate.format(Int(info.st_mtim.tv_sec))),
        ])
        return file
    }
}

private func notFound(_ startResponse: StartResponse) throws -> any ResponseBody {
    try startResponse("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return ["not found\n"]
}

private let types: [String: String] = [
    "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css",
    "js": "text/javascript", "json": "application/json", "txt": "text/plain; charset=utf-8",
    "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "ico": "image/x-icon", "pdf": "application/pdf", "wasm": "application/wasm",
    "xml": "application/xml", "woff2": "font/woff2",
]

/// The media type for a file name's extension; octet-stream when unknown.
func contentType(forPath path: String) -> String {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "application/octet-stream" }
    return types[path[path.index(after: dot)...].lowercased()] ?? "application/octet-stream"
}
