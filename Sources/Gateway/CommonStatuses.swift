/// The statuses applications answer with most, by name, so that a typo in
/// `"404 Not Fuond"` cannot happen; ``StartResponse`` takes them directly.
///
/// ```swift
/// try startResponse(.created, [("Location", "/items/7")])
/// try startResponse(ResponseStatus(code: 422), [])   // "422 Unprocessable Content"
/// ```
extension ResponseStatus {
    /// A status with the standard reason phrase for `code` (RFC 9110), or
    /// "Unknown" for a code it does not name.
    public init(code: Int) {
        self.init(code: code, reason: ResponseStatus.reasonPhrase(for: code))
    }

    /// 200 OK.
    public static let ok = ResponseStatus(code: 200, reason: "OK")
    /// 201 Created.
    public static let created = ResponseStatus(code: 201, reason: "Created")
    /// 202 Accepted.
    public static let accepted = ResponseStatus(code: 202, reason: "Accepted")
    /// 204 No Content.
    public static let noContent = ResponseStatus(code: 204, reason: "No Content")
    /// 206 Partial Content.
    public static let partialContent = ResponseStatus(code: 206, reason: "Partial Content")
    /// 301 Moved Permanently.
    public static let movedPermanently = ResponseStatus(code: 301, reason: "Moved Permanently")
    /// 302 Found.
    public static let found = ResponseStatus(code: 302, reason: "Found")
    /// 303 See Other.
    public static let seeOther = ResponseStatus(code: 303, reason: "See Other")
    /// 304 Not Modified.
    public static let notModified = ResponseStatus(code: 304, reason: "Not Modified")
    /// 307 Temporary Redirect.
    public static let temporaryRedirect = ResponseStatus(code: 307, reason: "Temporary Redirect")
    /// 308 Permanent Redirect.
    public static let permanentRedirect = ResponseStatus(code: 308, reason: "Permanent Redirect")
    /// 400 Bad Request.
    public static let badRequest = ResponseStatus(code: 400, reason: "Bad Request")
    /// 401 Unauthorized.
    public static let unauthorized = ResponseStatus(code: 401, reason: "Unauthorized")
    /// 403 Forbidden.
    public static let forbidden = ResponseStatus(code: 403, reason: "Forbidden")
    /// 404 Not Found.
    public static let notFound = ResponseStatus(code: 404, reason: "Not Found")
    /// 405 Method Not Allowed (send `Allow` with it).
    public static let methodNotAllowed = ResponseStatus(code: 405, reason: "Method Not Allowed")
    /// 409 Conflict.
    public static let conflict = ResponseStatus(code: 409, reason: "Conflict")
    /// 410 Gone.
    public static let gone = ResponseStatus(code: 410, reason: "Gone")
    /// 412 Precondition Failed.
    public static let preconditionFailed = ResponseStatus(code: 412, reason: "Precondition Failed")
    /// 413 Content Too Large.
    public static let contentTooLarge = ResponseStatus(code: 413, reason: "Content Too Large")
    /// 415 Unsupported Media Type.
    public static let unsupportedMediaType = ResponseStatus(code: 415, reason: "Unsupported Media Type")
    /// 422 Unprocessable Content.
    public static let unprocessableContent = ResponseStatus(code: 422, reason: "Unprocessable Content")
    /// 429 Too Many Requests.
    public static let tooManyRequests = ResponseStatus(code: 429, reason: "Too Many Requests")
    /// 500 Internal Server Error.
    public static let internalServerError = ResponseStatus(code: 500, reason: "Internal Server Error")
    /// 501 Not Implemented.
    public static let notImplemented = ResponseStatus(code: 501, reason: "Not Implemented")
    /// 502 Bad Gateway.
    public static let badGateway = ResponseStatus(code: 502, reason: "Bad Gateway")
    /// 503 Service Unavailable.
    public static let serviceUnavailable = ResponseStatus(code: 503, reason: "Service Unavailable")
    /// 504 Gateway Timeout.
    public static let gatewayTimeout = ResponseStatus(code: 504, reason: "Gateway Timeout")
}
