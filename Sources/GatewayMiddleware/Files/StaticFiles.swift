import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Middleware that serves the regular files under `root` by `PATH_INFO`
/// and passes every other request to the application it wraps.
///
/// Files go out as `FileWrapper` bodies (sendfile on the libevent server)
/// with their media type, a strong `ETag` and `Last-Modified`; conditional
/// requests get 412 (`If-Match`, `If-Unmodified-Since`) or 304
/// (`If-None-Match`, `If-Modified-Since`) in RFC 9110 §13.2.2's order, a
/// single `Range` gets 206 (416 when it lies past the end). A folder's URL serves its
/// `index.html`, after a redirect that adds the trailing slash. Paths that
/// could leave `root` (`..` however encoded, NUL, a backslash, a symbolic link
/// pointing outside) get 404 without reaching the wrapped application.
///
/// ```swift
/// let app = staticFiles(root: "/srv/www", options: StaticFileOptions(cacheControl: "max-age=60"))(notFoundApp)
/// // GET /css/site.css -> /srv/www/css/site.css; GET /api/... -> the wrapped app
/// let api = staticFiles(root: "/srv/www")(asyncAPI)   // an async app falls back the same way
/// ```
public func staticFiles(root: String, options: StaticFileOptions = StaticFileOptions()) -> Middleware {
    let files = StaticFileResolver(root: root)
    return Middleware(sync: { app in
        { environ, startResponse in
            try answerStatic(files, options, environ, startResponse) ?? app(environ, startResponse)
        }
    }, async: { app in
        { environ, startResponse in
            if let answer = try answerStatic(files, options, environ, startResponse) { return answer }
            return try await app(environ, startResponse)
        }
    })
}

/// The response for a path under the root (a file, a redirect, a refusal);
/// nil when the request is the wrapped application's.
private func answerStatic(_ files: StaticFileResolver, _ options: StaticFileOptions, _ environ: Environ,
                          _ startResponse: StartResponse) throws -> (any ResponseBody)? {
    let method = environ["REQUEST_METHOD"] ?? "GET"
    switch files.resolve(environ["PATH_INFO"] ?? "/", indexFile: options.indexFile) {
    case .miss:
        return nil
    case .refused:
        return try notFoundApp(environ, startResponse)
    case .folder:
        // Relative links in the index need the slash: redirect, keeping the query.
        let query = environ["QUERY_STRING"].map { $0.isEmpty ? "" : "?" + $0 } ?? ""
        let location = urlQuote((environ["SCRIPT_NAME"] ?? "") + (environ["PATH_INFO"] ?? "") + "/") + query
        try startResponse("301 Moved Permanently", [
            ("Location", location), ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0"),
        ])
        return [String]()
    case .file(let path):
        guard method == "GET" || method == "HEAD" else {
            try startResponse("405 Method Not Allowed", [
                ("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "19"),
            ])
            return ["method not allowed\n"]
        }
        return try serveFile(path, environ: environ, options: options, startResponse)
    }
}

/// The response for one regular file: 200, 206, 304, 412 or 416.
private func serveFile(_ path: String, environ: Environ, options: StaticFileOptions,
                       _ startResponse: StartResponse) throws -> any ResponseBody {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    var info = stat()
    guard fd >= 0 else { return try notFoundApp(environ, startResponse) }
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        close(fd)
        return try notFoundApp(environ, startResponse)
    }
    let size = Int(info.st_size)
    let modified = Int(info.st_mtim.tv_sec)
    let nanos = Int(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int(info.st_mtim.tv_nsec)
    let etag = "\"\(String(UInt(bitPattern: nanos), radix: 16))-\(String(size, radix: 16))-\(String(UInt(info.st_ino), radix: 16))\""
    var headers: [(String, String)] = [("ETag", etag), ("Last-Modified", HTTPDate.format(modified))]
    if let cacheControl = options.cacheControl { headers.append(("Cache-Control", cacheControl)) }

    if !preconditionsHold(environ, etag: etag, modified: modified) {
        close(fd)
        try startResponse("412 Precondition Failed", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "20"),
        ])
        return ["precondition failed\n"]
    }
    if notModified(environ, etag: etag, modified: modified) {
        close(fd)
        try startResponse("304 Not Modified", headers)
        return [String]()
    }
    headers.append(("Content-Type", MediaTypes.type(forPath: path)))
    headers.append(("Accept-Ranges", "bytes"))
    var range = ByteRange.ignored
    if environ["REQUEST_METHOD"] == "GET", let header = environ["HTTP_RANGE"], ifRangeHolds(environ, etag: etag, modified: modified) {
        range = ByteRange.parse(header, length: size)
    }
    switch range {
    case .unsatisfiable:
        close(fd)
        try startResponse("416 Range Not Satisfiable", headers.filter { $0.0 != "Content-Type" } + [
            ("Content-Range", "bytes */\(size)"), ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0"),
        ])
        return [String]()
    case .satisfiable(let bytes):
        try startResponse("206 Partial Content", headers + [
            ("Content-Range", "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"),
            ("Content-Length", String(bytes.count)),
        ])
        if bytes.upperBound == size - 1 {
            lseek(fd, off_t(bytes.lowerBound), SEEK_SET)  // to the end: still sendfile
            return FileWrapper(descriptor: fd)
        }
        return FileRangeBody(descriptor: fd, range: bytes)
    case .ignored:
        try startResponse("200 OK", headers + [("Content-Length", String(size))])
        return FileWrapper(descriptor: fd)
    }
}

/// RFC 9110 §13.2.2, steps 1 and 2: `If-Match` (strong comparison; `*`
/// matches, the file exists) decides when present, else
/// `If-Unmodified-Since`. False answers 412.
private func preconditionsHold(_ environ: Environ, etag: String, modified: Int) -> Bool {
    if let condition = environ["HTTP_IF_MATCH"] {
        let tags = condition.split(separator: ",").map { $0.trimmingWhitespace() }
        return tags.contains("*") || tags.contains(etag)  // a weak tag never matches strongly
    }
    if let since = environ["HTTP_IF_UNMODIFIED_SINCE"].flatMap(parseHTTPDate) {
        return modified <= since
    }
    return true
}

/// RFC 9110 §13.2.2, steps 3 and 4: `If-None-Match` (weak comparison)
/// decides when present, else `If-Modified-Since`.
private func notModified(_ environ: Environ, etag: String, modified: Int) -> Bool {
    if let condition = environ["HTTP_IF_NONE_MATCH"] {
        let tags = condition.split(separator: ",").map { $0.trimmingWhitespace() }
        return tags.contains("*") || tags.contains { weakTag($0) == weakTag(etag) }
    }
    if let since = environ["HTTP_IF_MODIFIED_SINCE"].flatMap(parseHTTPDate) {
        return modified <= since
    }
    return false
}

/// `If-Range`: the range applies only to the representation the client has
/// (strong ETag match, or exactly its Last-Modified date).
private func ifRangeHolds(_ environ: Environ, etag: String, modified: Int) -> Bool {
    guard let condition = environ["HTTP_IF_RANGE"]?.trimmingWhitespace() else { return true }
    if condition.hasPrefix("\"") { return condition == etag }
    return parseHTTPDate(condition) == modified
}

private func weakTag(_ tag: String) -> String { tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
