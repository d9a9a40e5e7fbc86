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
    if let key = commonFieldKey(name) { return key }
    if name.contains(UInt8(ascii: "_")) { return nil }
    // Written straight into the string's storage: one allocation at most
    // (none for keys of 15 bytes or fewer).
    return String(unsafeUninitializedCapacity: name.count + 5) { out in
        out[0] = UInt8(ascii: "H"); out[1] = UInt8(ascii: "T"); out[2] = UInt8(ascii: "T")
        out[3] = UInt8(ascii: "P"); out[4] = UInt8(ascii: "_")
        var index = 0
        while index < name.count {
            let byte = name[index]
            out[index + 5] = byte == UInt8(ascii: "-") ? UInt8(ascii: "_") : byte &- 0x61 < 26 ? byte &- 32 : byte
            index += 1
        }
        return name.count + 5
    }
}

/// The keys of the fields that browsers and proxies send on most requests,
/// as literals: comparing a name costs less than spelling its key, and
/// the long ones would each allocate a string.
private func commonFieldKey(_ name: UnsafeRawBufferPointer) -> String? {
    func named(_ field: StaticString) -> Bool { HTTPCharacters.equalsIgnoringCase(name, field) }
    switch name.count {
    case 4: if named("host") { return "HTTP_HOST" }
    case 6:
        if named("accept") { return "HTTP_ACCEPT" }
        if named("cookie") { return "HTTP_COOKIE" }
        if named("origin") { return "HTTP_ORIGIN" }
    case 7: if named("referer") { return "HTTP_REFERER" }
    case 10:
        if named("user-agent") { return "HTTP_USER_AGENT" }
        if named("connection") { return "HTTP_CONNECTION" }
    case 12: if named("content-type") { return "CONTENT_TYPE" }
    case 13:
        if named("cache-control") { return "HTTP_CACHE_CONTROL" }
        if named("authorization") { return "HTTP_AUTHORIZATION" }
        if named("if-none-match") { return "HTTP_IF_NONE_MATCH" }
    case 14:
        if named("content-length") { return "CONTENT_LENGTH" }
        if named("sec-fetch-site") { return "HTTP_SEC_FETCH_SITE" }
        if named("sec-fetch-mode") { return "HTTP_SEC_FETCH_MODE" }
        if named("sec-fetch-dest") { return "HTTP_SEC_FETCH_DEST" }
        if named("sec-fetch-user") { return "HTTP_SEC_FETCH_USER" }
    case 15:
        if named("accept-encoding") { return "HTTP_ACCEPT_ENCODING" }
        if named("accept-language") { return "HTTP_ACCEPT_LANGUAGE" }
        if named("x-forwarded-for") { return "HTTP_X_FORWARDED_FOR" }
    case 17:
        if named("if-modified-since") { return "HTTP_IF_MODIFIED_SINCE" }
        if named("x-forwarded-proto") { return "HTTP_X_FORWARDED_PROTO" }
    case 25: if named("upgrade-insecure-requests") { return "HTTP_UPGRADE_INSECURE_REQUESTS" }
    default: break
    }
    return nil
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
