import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// The environ key (in `Environ.extras`) under which ``requestID(header:)``
/// puts the request's id; it is also in `HTTP_X_REQUEST_ID`.
public let requestIDKey = "gateway.request_id"

/// Gives every request an id: the client's `X-Request-ID` when it is valid
/// (1 to 128 characters of letters, digits and `-_.:+=/@`), otherwise a new
/// random one. The id goes into the environ (`HTTP_X_REQUEST_ID` and
/// `extras[requestIDKey]`) and back to the client in the response header.
///
/// ```swift
/// let app = requestID()(myApp)      // or an AsyncApplication, or an AnyApplication
/// // inside myApp: environ["HTTP_X_REQUEST_ID"]  // "9f86d081884c7d65..."
/// ```
public func requestID(header: String = "X-Request-ID") -> Middleware {
    let environKey = "HTTP_" + header.uppercased().replacingDashes()
    return Middleware(sync: { app in
        { environ, startResponse in
            let (environ, startResponse) = tagRequest(environ, startResponse, header: header, environKey: environKey)
            return try app(environ, startResponse)
        }
    }, async: { app in
        { environ, startResponse in
            let (environ, startResponse) = tagRequest(environ, startResponse, header: header, environKey: environKey)
            return try await app(environ, startResponse)
        }
    })
}

/// The request's id put into the environ, and the start_response that
/// sends it back.
private func tagRequest(_ environ: Environ, _ startResponse: StartResponse, header: String,
                        environKey: String) -> (Environ, StartResponse) {
    var environ = environ
    let id = environ[environKey].flatMap { isValidRequestID($0) ? $0 : nil } ?? newRequestID()
    environ[environKey] = id
    environ.extras[requestIDKey] = id
    return (environ, StartResponse { status, headers, excInfo in
        var headers = Headers(headers)
        headers[header] = id
        return try startResponse(status, headers.items, excInfo: excInfo)
    })
}

/// Ids we echo must be safe in a header and a log line.
func isValidRequestID(_ id: String) -> Bool {
    (1...128).contains(id.utf8.count) && id.utf8.allSatisfy {
        ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || "-_.:+=/@".utf8.contains($0)
    }
}

/// 128 random bits as 32 hex digits.
func newRequestID() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }.joined()
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
