/// The cookies a ``TestClient`` keeps between requests, by RFC 6265's rules
/// for domains and paths (a small subset: no public-suffix list, `Expires`
/// read only to delete, `Max-Age` in seconds of the jar's own clock).
///
/// ```swift
/// let client = TestClient(app)
/// try client.post("/login", body: .form([("user", "ada")]))   // Set-Cookie: session=...; Path=/
/// client.cookies["session"]                                     // "..."
/// try client.get("/account")                                    // sends Cookie: session=...
/// ```
public final class CookieJar {
    /// One stored cookie.
    public struct Cookie: Equatable, Sendable {
        /// The cookie's name, as set.
        public var name: String
        /// The cookie's value, as set (not decoded).
        public var value: String
        /// Lower-cased, without a leading dot.
        public var domain: String
        /// True when set without `Domain`: sent to that exact host only.
        public var hostOnly: Bool
        /// The path the cookie is sent for (and below); `Path`, else the default path of the request that set it.
        public var path: String
        /// True when set with `Secure`: sent over https only.
        public var secure: Bool
    }

    /// Every cookie stored, oldest first.
    public private(set) var cookies: [Cookie] = []

    /// An empty jar.
    public init() {}

    /// The value of the first cookie named `name`, whatever its domain and path.
    public subscript(name: String) -> String? {
        cookies.first { $0.name == name }?.value
    }

    /// Forgets every cookie.
    public func clear() { cookies = [] }

    /// Stores the cookies of a `Set-Cookie` value received from `host` for `path`.
    public func store(setCookie header: String, host: String, path requestPath: String) {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmedSpaces() }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals]).trimmedSpaces()
        let value = String(pair[pair.index(after: equals)...]).trimmedSpaces()
        guard !name.isEmpty else { return }
        let host = host.lowercased()
        var cookie = Cookie(name: name, value: value, domain: host, hostOnly: true,
                            path: Self.defaultPath(requestPath), secure: false)
        var expired = false
        for attribute in parts.dropFirst() {
            let split = attribute.split(separator: "=", maxSplits: 1)
            let key = split.first.map { String($0).trimmedSpaces().lowercased() } ?? ""
            let argument = split.count > 1 ? String(split[1]).trimmedSpaces() : ""
            switch key {
            case "domain":
                var domain = argument.lowercased()
                if domain.hasPrefix(".") { domain.removeFirst() }
                guard !domain.isEmpty else { continue }
                // A host may only set cookies for itself or a domain above it.
                guard Self.domainMatches(host: host, domain: domain) else { return }
                cookie.domain = domain
                cookie.hostOnly = false
            case "path":
                if argument.hasPrefix("/") { cookie.path = argument }
            case "secure":
                cookie.secure = true
            case "max-age":
                if let seconds = Int(argument), seconds <= 0 { expired = true }
            case "expires":
                // Only the usual way to delete: a date in the past (1970).
                if argument.contains("1970") { expired = true }
            default:
                continue
            }
        }
        cookies.removeAll { $0.name == cookie.name && $0.domain == cookie.domain && $0.path == cookie.path }
        if !expired { cookies.append(cookie) }
    }

    /// The `Cookie` header for a request to `host` and `path`, or nil when none apply.
    public func header(host: String, path: String, secure: Bool) -> String? {
        let host = host.lowercased()
        let matching = cookies.filter { cookie in
            (cookie.hostOnly ? cookie.domain == host : Self.domainMatches(host: host, domain: cookie.domain))
                && Self.pathMatches(path, cookie.path) && (!cookie.secure || secure)
        }
        guard !matching.isEmpty else { return nil }
        // Longer paths first (RFC 6265 §5.4).
        return matching.enumerated().sorted { ($0.element.path.count, -$0.offset) > ($1.element.path.count, -$1.offset) }
            .map { "\($0.element.name)=\($0.element.value)" }.joined(separator: "; ")
    }

    static func domainMatches(host: String, domain: String) -> Bool {
        host == domain || (host.hasSuffix("." + domain) && !host.allSatisfy { $0.isNumber || $0 == "." })
    }

    static func pathMatches(_ requestPath: String, _ cookiePath: String) -> Bool {
        if requestPath == cookiePath { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
    }

    /// RFC 6265 §5.1.4: the request path up to its last `/`.
    static func defaultPath(_ path: String) -> String {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

extension StringProtocol {
    func trimmedSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
