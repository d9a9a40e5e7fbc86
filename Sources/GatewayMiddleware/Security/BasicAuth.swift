import Gateway

/// HTTP Basic authentication (RFC 7617) in front of an application:
/// `check(user, password)` decides; a request without valid credentials gets
/// 401 with `WWW-Authenticate` and never reaches the application. On success
/// `REMOTE_USER` holds the user name.
///
/// ```swift
/// let admin = basicAuth(realm: "admin") { user, password in
///     user == "admin" && password == secret
/// }(adminApp)   // a sync or an async application alike
/// ```
public func basicAuth(realm: String, check: @escaping @Sendable (_ user: String, _ password: String) -> Bool) -> Middleware {
    let challenge = "Basic realm=\"\(realm.filter { $0 != "\"" && $0 != "\\" })\", charset=\"UTF-8\""
    return Middleware(sync: { app in
        { environ, startResponse in
            switch try authenticate(environ, startResponse, challenge: challenge, check: check) {
            case .pass(let environ): return try app(environ, startResponse)
            case .answered(let body): return body
            }
        }
    }, async: { app in
        { environ, startResponse in
            switch try authenticate(environ, startResponse, challenge: challenge, check: check) {
            case .pass(let environ): return try await app(environ, startResponse)
            case .answered(let body): return body
            }
        }
    })
}

/// Checks the request's Basic credentials; answers 401 without them.
private func authenticate(_ environ: Environ, _ startResponse: StartResponse, challenge: String,
                          check: (String, String) -> Bool) throws -> RequestDecision {
    if let (user, password) = basicCredentials(environ["HTTP_AUTHORIZATION"]), check(user, password) {
        var environ = environ
        environ["REMOTE_USER"] = user
        environ["AUTH_TYPE"] = "Basic"
        (environ.extras[AccessRecord.environKey] as? AccessRecord)?.user = user
        return .pass(environ)
    }
    let text = "authentication required\n"
    try startResponse("401 Unauthorized", [
        ("WWW-Authenticate", challenge), ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", String(text.utf8.count)),
    ])
    return .answered([text])
}

/// The user and password of an `Authorization: Basic ...` value; nil when
/// absent or malformed.
func basicCredentials(_ header: String?) -> (String, String)? {
    guard let header else { return nil }
    let parts = header.trimmingWhitespace().split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "basic",
          let decoded = base64Decode(parts[1].trimmingWhitespace()),
          let text = String(validating: decoded, as: UTF8.self),
          let colon = text.firstIndex(of: ":")
    else { return nil }
    return (String(text[..<colon]), String(text[text.index(after: colon)...]))
}

/// Standard base64 (RFC 4648 §4), padding required; nil when malformed.
func base64Decode(_ text: String) -> [UInt8]? {
    let bytes = Array(text.utf8)
    guard bytes.count % 4 == 0 else { return nil }
    func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - 65
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - 71
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte + 4
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let quad = bytes[index..<(index + 4)]
        let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2, index + 4 == bytes.count || padding == 0 else { return nil }
        var accumulated: UInt32 = 0
        for (offset, byte) in quad.enumerated() {
            if offset >= 4 - padding { accumulated <<= 6; continue }
            guard let digit = value(byte) else { return nil }
            accumulated = accumulated << 6 | UInt32(digit)
        }
        output.append(UInt8(accumulated >> 16 & 0xFF))
        if padding < 2 { output.append(UInt8(accumulated >> 8 & 0xFF)) }
        if padding < 1 { output.append(UInt8(accumulated & 0xFF)) }
        index += 4
    }
    return output
}
