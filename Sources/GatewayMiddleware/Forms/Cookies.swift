@_spi(GatewayKit) import Gateway

/// The cookies of a request (`HTTP_COOKIE`, RFC 6265 §5.4): `name=value`
/// pairs split on `;`, surrounding spaces and double quotes removed; the
/// first of a repeated name wins. Malformed pairs are skipped.
///
/// ```swift
/// let session = parseCookies(environ)["session"]
/// ```
public func parseCookies(_ environ: Environ) -> [String: String] {
    parseCookieHeader(environ["HTTP_COOKIE"] ?? "")
}

/// ``parseCookies(_:)`` over a header value.
public func parseCookieHeader(_ header: String) -> [String: String] {
    var cookies: [String: String] = [:]
    for pair in header.split(separator: ";") {
        guard let equals = pair.firstIndex(of: "=") else { continue }
        let name = pair[..<equals].trimmingWhitespace()
        var value = pair[pair.index(after: equals)...].trimmingWhitespace()
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        guard !name.isEmpty, name.utf8.allSatisfy({ HTTPCharacters.isToken($0) }), cookies[name] == nil else { continue }
        cookies[name] = value
    }
    return cookies
}
