import Gateway

/// Believes a reverse proxy's forwarding headers, but only from the proxy:
/// an application wrapper that, for a peer on ``trusted``, sets
/// `REMOTE_ADDR` to the client's address and `wsgi.url_scheme` to the scheme
/// the client used, and for any other peer drops those headers so the
/// application cannot be fooled by them (gunicorn's `--forwarded-allow-ips`,
/// Werkzeug's ProxyFix).
///
/// ```swift
/// let trusted = try ForwardedAllowList("127.0.0.1, unix")
/// let app = ProxyHeaders(trusting: trusted).wrap(myApp)
/// // behind nginx with
/// //   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
/// //   proxy_set_header X-Forwarded-Proto $scheme;
/// ```
///
/// - `X-Forwarded-For` (all its lines joined) is walked right to left,
///   skipping trusted hops; the first untrusted address is the client (the
///   leftmost if every hop is trusted). The last `X-Forwarded-Proto` value,
///   `http` or `https`, is the scheme.
/// - With ``Style/forwarded``, RFC 7239's `Forwarded` is read the same way
///   instead (`for=` and `proto=`). One family is used, never both: the
///   other is dropped from the environ.
/// - A malformed value from a trusted peer gets 400.
/// - The values the server saw stay readable:
///   `environ.extras["gateway.proxy_fix.orig"]` holds the original
///   `REMOTE_ADDR` and `wsgi.url_scheme`, and the forwarding headers stay.
public struct ProxyHeaders: Sendable {
    /// Which headers carry the forwarding.
    public enum Style: String, Sendable, CaseIterable {
        /// `X-Forwarded-For` and `X-Forwarded-Proto` (nginx's usual configuration).
        case xForwarded = "x-forwarded"
        /// `Forwarded` (RFC 7239).
        case forwarded
    }

    /// The `extras` key holding the original values.
    public static let originalKey = "gateway.proxy_fix.orig"

    static let xForwardedKeys = ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                                 "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX"]
    static let forwardedKeys = ["HTTP_FORWARDED"]
    static let allKeys = xForwardedKeys + forwardedKeys

    /// The peers whose forwarding headers are believed.
    public var trusted: ForwardedAllowList
    /// Which forwarding headers are read (the other family is dropped).
    public var style: Style
    /// The server listens on a unix-domain socket: a peer without an IP
    /// address is taken as a unix one, trusted when the list holds `unix`.
    public var peersAreUnix: Bool

    /// Believes `style`'s headers from the peers on `trusted`; set `peersAreUnix`
    /// when the server listens on a unix-domain socket.
    public init(trusting trusted: ForwardedAllowList, style: Style = .xForwarded, peersAreUnix: Bool = false) {
        self.trusted = trusted
        self.style = style
        self.peersAreUnix = peersAreUnix
    }

    /// `app` behind the rewrite.
    public func wrap(_ app: @escaping Application) -> Application {
        let rewriter = self
        return { environ, startResponse in
            switch rewriter.admit(environ) {
            case .unchanged: return try app(environ, startResponse)
            case .rewritten(let environ): return try app(environ, startResponse)
            case .refused(let error): return try Self.badRequest(error, environ, startResponse)
            }
        }
    }

    /// An async `app` behind the rewrite.
    ///
    /// ```swift
    /// let app = ProxyHeaders(trusting: trusted).wrap(myAsyncApp)
    /// ```
    public func wrap(_ app: @escaping AsyncApplication) -> AsyncApplication {
        let rewriter = self
        return { environ, startResponse in
            switch rewriter.admit(environ) {
            case .unchanged: return try await app(environ, startResponse)
            case .rewritten(let environ): return try await app(environ, startResponse)
            case .refused(let error): return try Self.badRequest(error, environ, startResponse)
            }
        }
    }

    /// Any application behind the rewrite (a choice chooses from the rewritten environ).
    ///
    /// ```swift
    /// let app = ProxyHeaders(trusting: trusted).wrap(AnyApplication.async(myAsyncApp))
    /// ```
    public func wrap(_ app: AnyApplication) -> AnyApplication {
        switch app {
        case .sync(let app): return .sync(wrap(app))
        case .async(let app): return .async(wrap(app))
        case .choosing(let choose):
            let rewriter = self
            return .choosing { environ in
                guard case .rewritten(let rewritten) = rewriter.admit(environ) else { return rewriter.wrap(choose(environ)) }
                return rewriter.wrap(choose(rewritten))
            }
        }
    }

    private enum Admission {
        /// Nearly every request: an untrusted peer that sent no forwarding
        /// header. Nothing to drop, so the environ goes on as it came (no copy).
        case unchanged
        case rewritten(Environ)
        case refused(ForwardedHeaderError)
    }

    private func admit(_ environ: Environ) -> Admission {
        if !trusts(environ) && !Self.carries(Self.allKeys, environ.variables) { return .unchanged }
        var environ = environ
        do {
            try rewrite(&environ)
            return .rewritten(environ)
        } catch {
            return .refused(error)
        }
    }

    private static func badRequest(
        _ error: ForwardedHeaderError, _ environ: Environ, _ startResponse: StartResponse
    ) throws -> any ResponseBody {
        environ.errors.write("\(environ.requestLine): \(error)\n")
        let body = Array("400 Bad Request: \(error)\n".utf8)
        try startResponse("400 Bad Request", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.count)),
        ])
        return [body]
    }

    /// Whether the request's peer is a trusted proxy.
    public func trusts(_ environ: Environ) -> Bool {
        if trusted.trustsEveryone { return true }
        if trusted.isEmpty { return false }
        // Unix peers have no address (REMOTE_ADDR is "" on both servers).
        guard let address = IPAddress(environ["REMOTE_ADDR"] ?? "") else { return peersAreUnix && trusted.trustsUnix }
        return trusted.contains(address)
    }

    /// Applies the forwarding headers to `environ`, or drops them.
    public func rewrite(_ environ: inout Environ) throws(ForwardedHeaderError) {
        guard trusts(environ) else {
            Self.drop(Self.allKeys, from: &environ.variables)
            return
        }
        environ.extras[Self.originalKey] = ["REMOTE_ADDR": environ["REMOTE_ADDR"] ?? "", "wsgi.url_scheme": environ.urlScheme]
        switch style {
        case .xForwarded:
            Self.drop(Self.forwardedKeys, from: &environ.variables)
            try applyXForwarded(&environ)
        case .forwarded:
            Self.drop(Self.xForwardedKeys, from: &environ.variables)
            try applyForwarded(&environ)
        }
    }

    /// Removes `keys`, touching (and so copying) the variables only when one
    /// of them is there: on nearly every request none is, and one cheap pass
    /// over the keys finds that out.
    private static func drop(_ keys: [String], from variables: inout EnvironVariables) {
        guard carries(keys, variables) else { return }
        for key in keys { variables[key] = nil }
    }

    /// Whether any of `keys` is among the variables: one cheap pass.
    private static func carries(_ keys: [String], _ variables: EnvironVariables) -> Bool {
        variables.contains(where: { mayBeForwarding($0.key) && keys.contains($0.key) })
    }

    /// `HTTP_X…` or `HTTP_F…` and long enough: the only keys worth comparing
    /// with the forwarding headers' names.
    private static func mayBeForwarding(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard utf8.count >= 14 else { return false }
        // From the string's own bytes (small strings too): indexing the view cost more than the rest.
        let sixth = utf8.withContiguousStorageIfAvailable { $0[5] } ?? utf8[utf8.index(utf8.startIndex, offsetBy: 5)]
        return sixth == UInt8(ascii: "X") || sixth == UInt8(ascii: "F")
    }

    private func applyXForwarded(_ environ: inout Environ) throws(ForwardedHeaderError) {
        if let value = environ["HTTP_X_FORWARDED_FOR"] {
            var hops: [(text: String, address: IPAddress)] = []
            for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = entry.trimmingSpaces()
                guard let address = IPAddress(text) else {
                    throw .malformed(header: "X-Forwarded-For", value: value)
                }
                hops.append((text, address))
            }
            if let client = hops.last(where: { !trusted.contains($0.address) }) ?? hops.first {
                environ["REMOTE_ADDR"] = client.text
            }
        }
        if let value = environ["HTTP_X_FORWARDED_PROTO"] {
            let last = (value.split(separator: ",", omittingEmptySubsequences: false).last ?? "").trimmingSpaces().lowercased()
            guard last == "http" || last == "https" else { throw .malformed(header: "X-Forwarded-Proto", value: value) }
            environ.urlScheme = last
        }
    }

    private func applyForwarded(_ environ: inout Environ) throws(ForwardedHeaderError) {
        guard let value = environ["HTTP_FORWARDED"] else { return }
        let hops = try ForwardedElements.parse(value)
        // Right to left over the hops that name a node: trusted ones are skipped.
        var client: String?
        for hop in hops.reversed() {
            guard let node = hop["for"] else { continue }
            guard let address = try Self.nodeAddress(node, header: value) else { break }  // "unknown", "_hidden"
            client = address.text
            if !trusted.contains(address.address) { break }
        }
        if let client { environ["REMOTE_ADDR"] = client }
        if let proto = hops.last(where: { $0["proto"] != nil })?["proto"] {
            let scheme = proto.lowercased()
            guard scheme == "http" || scheme == "https" else { throw .malformed(header: "Forwarded", value: value) }
            environ.urlScheme = scheme
        }
    }

    /// The address of an RFC 7239 node (`192.0.2.1`, `192.0.2.1:80`,
    /// `[2001:db8::1]:80`); nil for `unknown` and obfuscated `_names`.
    static func nodeAddress(_ node: String, header: String) throws(ForwardedHeaderError) -> (text: String, address: IPAddress)? {
        if node.lowercased() == "unknown" || node.hasPrefix("_") { return nil }
        var host = Substring(node)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .malformed(header: "Forwarded", value: header) }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { throw .malformed(header: "Forwarded", value: header) }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.firstIndex(of: ":") {
            host = host[..<colon]
        }
        guard let address = IPAddress(String(host)) else { throw .malformed(header: "Forwarded", value: header) }
        return (String(host), address)
    }
}
