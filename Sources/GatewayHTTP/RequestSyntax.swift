@_spi(GatewayKit) import Gateway

/// The grammar checks of a request's parts that are not a line's framing:
/// request-target forms (RFC 9112 §3.2), `Host` (RFC 9110 §7.2, RFC 3986
/// §3.2.2), chunk extensions (RFC 9112 §7.1.1) and `Transfer-Encoding`
/// (RFC 9112 §6.1). ``RequestParser`` and ``FieldSummary`` call them.
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
        // BWS stands only before a ";" or around a "=": nothing ends in
        // whitespace (`5 `, `5;a `, `5;a=b `).
        if let last = bytes.last, HTTPCharacters.isWhitespace(last) { return false }
        var scanner = SyntaxScanner(bytes)
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { return true }
            guard scanner.take(UInt8(ascii: ";")) else { return false }
            scanner.skipWhitespace()
            guard scanner.token() != nil else { return false }
            scanner.skipWhitespace()
            guard scanner.take(UInt8(ascii: "=")) else { continue }
            scanner.skipWhitespace()
            guard scanner.tokenOrQuotedString() else { return false }
        }
    }

    /// The codings a `Transfer-Encoding` value lists, in order, each name
    /// lower case without its parameters; nil when the value is not a list
    /// of transfer-codings (RFC 9112 §6.1, RFC 9110 §10.1.4): `#transfer-coding`,
    /// empty elements and OWS around the commas allowed (RFC 9110 §5.6.1),
    /// `transfer-coding = token *( OWS ";" OWS transfer-parameter )`,
    /// `transfer-parameter = token BWS "=" BWS ( token / quoted-string )`.
    /// A value outside it (`chunked foo`, `chunked;foo`) is refused, not
    /// read by its first word: a front end reading it another way would
    /// frame the body another way.
    static func transferCodings(_ value: UnsafeRawBufferPointer) -> [String]? {
        var scanner = SyntaxScanner(value)
        var codings: [String] = []
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { return codings }
            if scanner.take(UInt8(ascii: ",")) { continue }  // an empty element
            guard let name = scanner.token() else { return nil }
            codings.append(String(decoding: name.lazy.map(HTTPCharacters.lowercased), as: UTF8.self))
            while true {
                scanner.skipWhitespace()
                guard scanner.take(UInt8(ascii: ";")) else { break }
                scanner.skipWhitespace()
                guard scanner.token() != nil else { return nil }
                scanner.skipWhitespace()
                guard scanner.take(UInt8(ascii: "=")) else { return nil }  // `chunked;foo`: a parameter needs a value
                scanner.skipWhitespace()
                guard scanner.tokenOrQuotedString() else { return nil }
            }
            // A coding ends the value or a list element, nothing else.
            if scanner.atEnd { return codings }
            guard scanner.take(UInt8(ascii: ",")) else { return nil }
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
