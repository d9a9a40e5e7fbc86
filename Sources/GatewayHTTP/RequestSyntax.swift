@_spi(GatewayKit) import Gateway

/// The grammar checks of a request's parts that are not a line's framing:
/// request-target forms (RFC 9112 §3.2), `Host` (RFC 9110 §7.2, RFC 3986
/// §3.2.2) and chunk extensions (RFC 9112 §7.1.1). ``RequestParser`` and
/// ``FieldSummary`` call them.
enum RequestSyntax {
    /// Why `target` is not a request-target form `method` may use (RFC 9112 §3.2), or nil.
    static func targetProblem(_ target: UnsafeRawBufferPointer, method: String) -> String? {
        if method == "CONNECT" {
            return isAuthorityForm(target) ? nil : "CONNECT needs host:port"
        }
        if target.first == UInt8(ascii: "/") { return nil }  // origin-form
        if target.elementsEqual("*".utf8) {
            return method == "OPTIONS" ? nil : "asterisk-form is for OPTIONS only"
        }
        // absolute-form: scheme "://" authority path (RFC 9112 §3.2.2: an http or https URI)
        guard let colon = target.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              target[colon...].starts(with: "://".utf8),
              HTTPCharacters.lowercased(target[0]) &- 0x61 < 26,
              target[..<colon].allSatisfy({ HTTPCharacters.isToken($0) && $0 != UInt8(ascii: "_") })
        else { return "request target is neither a path nor an absolute URI" }
        return nil
    }

    /// The authority of an absolute-form target (`http://host:port/path`):
    /// what follows `://` up to the path, query or end; nil for other forms.
    static func absoluteFormAuthority(of target: String, method: String) -> String? {
        guard let first = target.utf8.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*"), method != "CONNECT"
        else { return nil }  // origin-form, nearly every request: decided on its first byte
        let bytes = Array(target.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8)
        else { return nil }
        let rest = bytes[(colon + 3)...]
        return String(decoding: rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }, as: UTF8.self)
    }

    static func isAuthorityForm(_ target: UnsafeRawBufferPointer) -> Bool {
        guard let colon = target.lastIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        let port = target[(colon + 1)...]
        return !port.isEmpty && port.allSatisfy(HTTPCharacters.isDigit) && isHost(target)
    }

    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )`, ext-value a
    /// token or a quoted-string (RFC 9112 §7.1.1).
    static func isChunkExtension(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        func skipWhitespace() { while index < bytes.endIndex && HTTPCharacters.isWhitespace(bytes[index]) { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < bytes.endIndex && HTTPCharacters.isToken(bytes[index]) { index += 1 }
            return index > start
        }
        // BWS stands only before a ";" or around a "=": nothing ends in
        // whitespace (`5 `, `5;a `, `5;a=b `).
        if let last = bytes.last, HTTPCharacters.isWhitespace(last) { return false }
        while true {
            skipWhitespace()
            if index == bytes.endIndex { return true }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipWhitespace()
            if index < bytes.endIndex && bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") { closed = true; break }
                    if byte == UInt8(ascii: "\\") {
                        guard index < bytes.endIndex, HTTPCharacters.isFieldValue(bytes[index]) else { return false }
                        index += 1
                    } else if !HTTPCharacters.isFieldValue(byte) {
                        return false
                    }
                }
                guard closed else { return false }
            } else if !token() {
                return false
            }
        }
    }

    /// `Host` syntax (RFC 9110 §7.2, RFC 3986 §3.2.2): empty, or a reg-name,
    /// IPv4 address or bracketed IP literal, with an optional port.
    static func isHost(_ value: some Collection<UInt8>) -> Bool {
        var rest = value[...]
        if rest.first == UInt8(ascii: "[") {
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = rest[rest.index(after: rest.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({
                HTTPCharacters.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                    || HTTPCharacters.isHostName($0)
            }) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: UInt8(ascii: ":")) ?? rest.endIndex
            guard rest[..<end].allSatisfy(HTTPCharacters.isHostName) else { return false }
            rest = rest[end...]
        }
        guard let colon = rest.first else { return true }
        return colon == UInt8(ascii: ":") && rest.dropFirst().allSatisfy(HTTPCharacters.isDigit)
    }
}
