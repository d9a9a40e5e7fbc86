import Gateway

/// Mounts applications under path prefixes (Paste's `URLMap`): the longest
/// prefix that matches whole segments wins, and moves from `PATH_INFO` to
/// the end of `SCRIPT_NAME`, as wsgiref's `shift_path_info` moves one
/// segment. Nothing matching: 404. Mount an application at `""` or `"/"` for
/// everything else.
///
/// ```swift
/// let app = urlMap(["/api": itemsAPI, "/static": files, "/": home])
/// // GET /api/items/3 -> itemsAPI with SCRIPT_NAME "/api", PATH_INFO "/items/3"
/// ```
public func urlMap(_ mounts: [String: Application]) -> Application {
    // Prefixes normalised to "/a/b" (the root to ""), longest first.
    let table = mounts.map { (prefix: normalizedPrefix($0.key), app: $0.value) }
        .sorted { $0.prefix.utf8.count > $1.prefix.utf8.count }
    return { environ, startResponse in
        let path = environ["PATH_INFO"] ?? ""
        for (prefix, app) in table {
            guard path == prefix || path.hasPrefix(prefix + "/") || prefix.isEmpty else { continue }
            let matched = path.prefix(prefix.count)
            return try app(shiftedEnviron(environ, matched: matched, rest: path[matched.endIndex...]), startResponse)
        }
        return try notFoundApp(environ, startResponse)
    }
}

private func normalizedPrefix(_ prefix: String) -> String {
    let segments = prefix.split(separator: "/")
    return segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
}
