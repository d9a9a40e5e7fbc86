@_spi(GatewayKit) import Gateway

/// A `Set-Cookie` response header (RFC 6265 §4.1) with its attributes.
/// The value is percent-encoded where RFC 6265 does not allow a byte.
///
/// ```swift
/// var cookie = SetCookie(name: "session", value: token)
/// cookie.maxAge = 3600
/// cookie.sameSite = .lax
/// try startResponse("200 OK", [cookie.header, ("Content-Type", "text/plain")])
/// // Set-Cookie: session=...; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax
/// ```
public struct SetCookie: Sendable, Equatable {
    /// The `SameSite` attribute: whether the browser sends the cookie with
    /// requests another site starts.
    public enum SameSite: String, Sendable {
        /// Only with requests this site starts.
        case strict = "Strict"
        /// Also with top-level navigations from other sites (the browsers' default).
        case lax = "Lax"
        /// With every request; browsers then require ``SetCookie/secure``.
        case none = "None"
    }

    /// The cookie's name: an RFC 6265 token.
    public var name: String
    /// The cookie's value; bytes RFC 6265 does not allow in a value are percent-encoded in ``header``.
    public var value: String
    /// `Expires`, in seconds since the epoch.
    public var expires: Int?
    /// `Max-Age`, in seconds from now; 0 deletes the cookie.
    public var maxAge: Int?
    /// `Domain`: also send the cookie to this domain's subdomains; nil sends it to the setting host only.
    public var domain: String?
    /// `Path`: the cookie is sent for this path and the paths below it; "/" (the default) for the whole site.
    public var path: String? = "/"
    /// `Secure`: sent over https only. On by default.
    public var secure = true
    /// `HttpOnly`: not readable from JavaScript. On by default.
    public var httpOnly = true
    /// `SameSite`; `.lax` by default, nil sends none.
    public var sameSite: SameSite? = .lax

    /// A cookie with the default attributes: `Path=/; Secure; HttpOnly; SameSite=Lax`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The header as `start_response` takes it: `("Set-Cookie", ...)`.
    public var header: (String, String) { ("Set-Cookie", headerValue) }

    /// The header's value. A name that is not a token is dropped to `invalid`
    /// rather than let it break the header.
    public var headerValue: String {
        let safeName = !name.isEmpty && name.utf8.allSatisfy({ HTTPCharacters.isToken($0) }) ? name : "invalid"
        var parts = ["\(safeName)=\(cookieValueEncoded(value))"]
        if let expires { parts.append("Expires=\(HTTPDate.format(expires))") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if let domain, attributeSafe(domain) { parts.append("Domain=\(domain)") }
        if let path, attributeSafe(path) { parts.append("Path=\(path)") }
        if secure || sameSite == SameSite.none { parts.append("Secure") }  // browsers refuse SameSite=None without it
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
        return parts.joined(separator: "; ")
    }
}

/// cookie-octet (RFC 6265): printable ASCII but space, `"`, `,`, `;`, `\`; `%` is escaped too.
private func cookieValueEncoded(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        let plain = byte > 0x20 && byte < 0x7F && !"\",;\\%".utf8.contains(byte)
        if plain { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

private func attributeSafe(_ text: String) -> Bool {
    text.utf8.allSatisfy { $0 > 0x1F && $0 != 0x7F && $0 != UInt8(ascii: ";") }
}
