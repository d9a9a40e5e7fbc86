/// The request-target of a request line, split the way the environ needs it:
/// `PATH_INFO` percent-decoded, `QUERY_STRING` raw.
///
/// ```swift
/// let target = RequestTarget("/a%20b/c?x=1&y=2")
/// target.path    // "/a b/c"
/// target.query   // "x=1&y=2"
/// ```
public struct RequestTarget: Sendable, Equatable {
    /// The decoded path (`PATH_INFO`).
    public var path: String
    /// The query without its `?`, as sent (`QUERY_STRING`).
    public var query: String

    /// Splits origin-form (`/p?q`), absolute-form (`http://host/p?q`) and
    /// asterisk-form (`*`) targets; a fragment, if any, is dropped.
    public init(_ raw: String) {
        // Byte-wise: the target is ASCII on the wire, and Character-wise
        // scanning (grapheme breaking) cost more than the rest of the environ.
        let bytes = raw.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        var start = bytes.startIndex
        if bytes.first != UInt8(ascii: "/"), let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":")),
           bytes[colon...].starts(with: "://".utf8) {
            let authority = bytes.index(colon, offsetBy: 3)
            start = bytes[authority..<end].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
        }
        if let mark = bytes[start..<end].firstIndex(of: UInt8(ascii: "?")) {
            path = percentDecode(Substring(bytes[start..<mark]))
            query = String(Substring(bytes[bytes.index(after: mark)..<end]))
        } else {
            path = percentDecode(Substring(bytes[start..<end]))
            query = ""
        }
    }
}

/// Decodes `%XX` escapes. The bytes are read as UTF-8, or as Latin-1 when they
/// are not valid UTF-8 (so no byte is lost, as in Python's servers). `+` is
/// left alone: it means a space only in form data, not in a path.
public func percentDecode(_ text: some StringProtocol) -> String {
    let utf8 = text.utf8
    guard utf8.contains(UInt8(ascii: "%")) else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = utf8.startIndex
    while index != utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "%"),
           let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), first != utf8.endIndex,
           let second = utf8.index(first, offsetBy: 1, limitedBy: utf8.endIndex), second != utf8.endIndex,
           let high = HTTPCharacters.hexValue(utf8[first]), let low = HTTPCharacters.hexValue(utf8[second]) {
            bytes.append(high << 4 | low)
            index = utf8.index(after: second)
        } else {
            bytes.append(byte)
            index = utf8.index(after: index)
        }
    }
    return decodeText(bytes)
}

/// Bytes as text: UTF-8 when valid, otherwise Latin-1 (every byte kept).
public func decodeText(_ bytes: [UInt8]) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}

/// The environ key of a request header: `Content-Type` -> `CONTENT_TYPE`,
/// `Content-Length` -> `CONTENT_LENGTH`, `X-Forwarded-For` ->
/// `HTTP_X_FORWARDED_FOR`. Names holding `_` give nil: `X_Forwarded_For`
/// would otherwise pose as `X-Forwarded-For` (nginx and gunicorn drop them too).
public func cgiVariableName(forHeader name: String) -> String? {
    var name = name
    return name.withUTF8 { cgiVariableName(forField: UnsafeRawBufferPointer($0)) }
}

/// ``cgiVariableName(forHeader:)`` for a name as bytes (the parser's).
@_spi(GatewayKit)
public func cgiVariableName(forField name: UnsafeRawBufferPointer) -> String? {
    switch name.count {
    case 12 where HTTPCharacters.equalsIgnoringCase(name, "content-type"): return "CONTENT_TYPE"
    case 14 where HTTPCharacters.equalsIgnoringCase(name, "content-length"): return "CONTENT_LENGTH"
    default: break
    }
    if name.contains(UInt8(ascii: "_")) { return nil }
    // Written straight into the string's storage: one allocation at most
    // (none for keys of 15 bytes or fewer).
    return String(unsafeUninitializedCapacity: name.count + 5) { out in
        out[0] = UInt8(ascii: "H"); out[1] = UInt8(ascii: "T"); out[2] = UInt8(ascii: "T")
        out[3] = UInt8(ascii: "P"); out[4] = UInt8(ascii: "_")
        for (index, byte) in name.enumerated() {
            out[index + 5] = byte == UInt8(ascii: "-") ? UInt8(ascii: "_") : byte &- 0x61 < 26 ? byte &- 32 : byte
        }
        return name.count + 5
    }
}

/// The CGI variables of one request, as every server builds them: the
/// request line, the server and peer addresses, then each header under its
/// environ key (repeats joined with ", ").
///
/// ```swift
/// var cgi = CGIVariables(method: "GET", target: "/a%20b?x=1", protocolName: "HTTP/1.1",
///                        server: ("127.0.0.1", "8000"), peer: ("127.0.0.1", 50312))
/// cgi.addHeader(name: "User-Agent", value: "curl")
/// cgi.variables["PATH_INFO"]   // "/a b"
/// ```
public struct CGIVariables {
    public private(set) var variables: EnvironVariables

    public init(method: String, target: String, protocolName: String,
                server: (name: String, port: String), peer: (host: String, port: Int)) {
        let parsed = RequestTarget(target)
        // Sized once for the usual dozen or two entries.
        variables = EnvironVariables(minimumCapacity: 24)
        variables.appendNew("REQUEST_METHOD", method)
        variables.appendNew("SCRIPT_NAME", "")
        variables.appendNew("PATH_INFO", parsed.path)
        variables.appendNew("QUERY_STRING", parsed.query)
        variables.appendNew("SERVER_NAME", server.name)
        variables.appendNew("SERVER_PORT", server.port)
        variables.appendNew("SERVER_PROTOCOL", protocolName)
        variables.appendNew("REMOTE_ADDR", peer.host)
        variables.appendNew("REMOTE_PORT", String(peer.port))
    }

    /// Adds a header; names holding `_` are dropped (see ``cgiVariableName(forHeader:)``).
    public mutating func addHeader(name: String, value: String) {
        guard let key = cgiVariableName(forHeader: name) else { return }
        if let previous = variables.updateValue(value, forKey: key) {
            variables[key] = previous + ", " + value
        }
    }
}
