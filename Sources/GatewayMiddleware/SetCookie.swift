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
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    public var value: String
    /// `Expires`, in seconds since the epoch.
    public var expires: Int?
    public var maxAge: Int?
    public var domain: String?
    public var path: String? = "/"
    public var secure = true
    public var httpOnly = true
    public var sameSite: SameSite? = .lax

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
