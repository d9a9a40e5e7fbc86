@_spi(GatewayKit) import Gateway

/// The environ key of a request header: `Content-Type` -> `CONTENT_TYPE`,
/// `Content-Length` -> `CONTENT_LENGTH`, `X-Forwarded-For` ->
/// `HTTP_X_FORWARDED_FOR`. Names holding `_` give nil: `X_Forwarded_For`
/// would otherwise pose as `X-Forwarded-For` (nginx and gunicorn drop them too).
package func cgiVariableName(forHeader name: String) -> String? {
    var name = name
    return name.withUTF8 { cgiVariableName(forField: UnsafeRawBufferPointer($0)) }
}

/// ``cgiVariableName(forHeader:)`` for a name as bytes (the parser's).
package func cgiVariableName(forField name: UnsafeRawBufferPointer) -> String? {
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
/// environ key (repeats joined as ``RequestHead`` joins them).
///
/// ```swift
/// var cgi = CGIVariables(method: "GET", target: "/a%20b?x=1", protocolName: "HTTP/1.1",
///                        server: ("127.0.0.1", "8000"), peer: ("127.0.0.1", 50312))
/// cgi.addHeader(name: "User-Agent", value: "curl")
/// cgi.variables["PATH_INFO"]   // "/a b"
/// ```
package struct CGIVariables {
    package private(set) var variables: EnvironVariables

    package init(method: String, target: String, protocolName: String,
                server: (name: String, port: String), peer: (host: String, port: Int)) {
        // Sized once for the usual dozen or two entries.
        variables = EnvironVariables(minimumCapacity: 24)
        Self.add(method: method, target: target, protocolName: protocolName, server: server, peer: peer, to: &variables)
    }

    /// Appends the request line's and the addresses' variables to `variables`
    /// (a server's header entries, already there).
    package static func add(method: String, target: String, protocolName: String,
                            server: (name: String, port: String), peer: (host: String, port: Int),
                            to variables: inout EnvironVariables) {
        let parsed = RequestTarget(target)
        variables.appendNew("REQUEST_METHOD", method)
        variables.appendNew("SCRIPT_NAME", "")
        variables.appendNew("PATH_INFO", parsed.path)
        variables.appendNew("QUERY_STRING", parsed.query)
        variables.appendNew("SERVER_NAME", server.name)
        variables.appendNew("SERVER_PORT", server.port)
        variables.appendNew("SERVER_PROTOCOL", protocolName)
        variables.appendNew("REMOTE_ADDR", peer.host)
        variables.appendNew("REMOTE_PORT", DecimalText.of(peer.port))
    }

    /// Adds a header; names holding `_` are dropped (see ``cgiVariableName(forHeader:)``).
    package mutating func addHeader(name: String, value: String) {
        guard let key = cgiVariableName(forHeader: name) else { return }
        if var previous = variables.updateValue(value, forKey: key) {
            RequestHead.append(value, to: &previous)
            variables[key] = previous
        }
    }
}
