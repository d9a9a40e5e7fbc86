/// Where a ``TestClient`` request goes: scheme, host, port, path and query,
/// from a path (`/a?b=1`) or an absolute URL, resolved like a browser
/// resolves a `Location`.
struct TestURL: CustomStringConvertible {
    var scheme: String
    var host: String
    var port: Int
    /// Percent-encoded, as sent on the request line.
    var path: String
    var query: String

    init(scheme: String, host: String, port: Int, path: String, query: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// Parses `text` (absolute, host-relative `/x`, or path-relative `x`) against `base`.
    init(_ text: String, relativeTo base: TestURL) throws {
        var rest = Substring(text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        self = base
        if let schemeEnd = rest.range(of: "://") {
            scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { throw TestClientError.malformed("URL \(text)") }
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            rest = rest[authorityEnd...]
            let defaultPort = scheme == "https" ? 443 : 80
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                host = String(authority[..<colon])
                guard let value = Int(authority[authority.index(after: colon)...]) else { throw TestClientError.malformed("URL \(text)") }
                port = value
            } else {
                host = String(authority)
                port = defaultPort
            }
            if rest.isEmpty { rest = "/" }
        }
        let queryStart = rest.firstIndex(of: "?")
        let pathPart = queryStart.map { rest[..<$0] } ?? rest
        let queryPart = queryStart.map { String(rest[rest.index(after: $0)...]) }
        if pathPart.isEmpty {
            // "?x=1": same path, new query.
        } else if pathPart.hasPrefix("/") {
            path = String(pathPart)
        } else {
            let directory = base.path.lastIndex(of: "/").map { base.path[...$0] } ?? "/"
            path = String(directory) + pathPart
        }
        query = queryPart ?? (pathPart.isEmpty ? base.query : "")
    }

    /// The request target: path and query.
    var target: String { query.isEmpty ? path : path + "?" + query }

    /// The `Host` header: the port only when it is not the scheme's own.
    var hostHeader: String {
        port == (scheme == "https" ? 443 : 80) ? host : "\(host):\(port)"
    }

    var description: String { "\(scheme)://\(hostHeader)\(target)" }
}
