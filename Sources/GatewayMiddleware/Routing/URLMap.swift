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
    let table = URLMapTable(mounts)
    return { environ, startResponse in
        let path = environ["PATH_INFO"] ?? ""
        guard let (app, matched) = table.match(path) else { return try notFoundApp(environ, startResponse) }
        return try app(shiftedEnviron(environ, matched: matched, rest: path[matched.endIndex...]), startResponse)
    }
}

/// `urlMap(_:)` for applications of either kind: a synchronous site and
/// an async API side by side, each served as what it is (the sync one
/// inline or on the worker pool, the async one in a task, its body read as
/// it arrives). The map is an `AnyApplication/choosing(_:)`: the
/// mount is chosen from the request's head, by the same longest-prefix rule,
/// and sees the same `SCRIPT_NAME` and `PATH_INFO` as under the sync map.
///
/// ```swift
/// let app = urlMap(["/api": .async(itemsAPI), "/": .sync(site)])
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: app)
/// ```
public func urlMap(_ mounts: [String: AnyApplication]) -> AnyApplication {
    let table = URLMapTable(mounts)
    return .choosing { environ in
        guard let (app, matched) = table.match(environ["PATH_INFO"] ?? "") else { return .sync(notFoundApp) }
        let length = matched.utf8.count
        return app.rewritingEnviron { environ in
            let path = environ["PATH_INFO"] ?? ""
            let end = path.utf8.index(path.utf8.startIndex, offsetBy: min(length, path.utf8.count))
            environ = shiftedEnviron(environ, matched: path[..<end], rest: path[end...])
        }
    }
}

/// The prefixes of a `urlMap(_:)`, normalised to "/a/b" (the root to ""), longest first.
private struct URLMapTable<App: Sendable>: Sendable {
    let entries: [(prefix: String, app: App)]

    init(_ mounts: [String: App]) {
        entries = mounts.map { (prefix: normalizedPrefix($0.key), app: $0.value) }
            .sorted { $0.prefix.utf8.count > $1.prefix.utf8.count }
    }

    /// The application mounted at the longest prefix of `path`, and that prefix of it.
    func match(_ path: String) -> (App, Substring)? {
        for (prefix, app) in entries {
            guard path == prefix || path.hasPrefix(prefix + "/") || prefix.isEmpty else { continue }
            return (app, path.prefix(prefix.count))
        }
        return nil
    }
}

private func normalizedPrefix(_ prefix: String) -> String {
    let segments = prefix.split(separator: "/")
    return segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
}
