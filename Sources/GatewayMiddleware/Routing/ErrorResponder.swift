import Gateway

/// How a ``Router`` words the errors it answers itself: its 404 and 405,
/// and an ``HTTPError`` a route throws before its response went out (a
/// ``JSONBodyError``, a ``PathParameterError``, your own).
/// ``plainText`` by default; ``json`` for an API: `{"error": "..."}`.
///
/// ```swift
/// var api = Router(errors: .json)
/// // GET /nothing -> 404 {"error":"not found"}
/// ```
public struct ErrorResponder: Sendable {
    /// Answers one error: start the response with the status, the headers
    /// given (405's `Allow`) and `excInfo` (which replaces a response the
    /// route had started but not sent), and return the body.
    public typealias Respond = @Sendable (
        _ status: ResponseStatus, _ message: String, _ headers: [(String, String)],
        _ excInfo: (any Error)?, _ startResponse: StartResponse
    ) throws -> any ResponseBody

    /// The function that answers.
    public let respond: Respond

    /// A responder of your own making.
    public init(_ respond: @escaping Respond) {
        self.respond = respond
    }

    /// The message as text and a newline: `not found`.
    public static let plainText = ErrorResponder { status, message, headers, excInfo, startResponse in
        let body = Array((message + "\n").utf8)
        try startResponse(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.count))]
                          + headers, excInfo: excInfo)
        return [body]
    }

    /// The message as JSON: `{"error":"not found"}`.
    public static let json = ErrorResponder { status, message, headers, excInfo, startResponse in
        let body = try JSONCoding.encode(["error": message])
        try startResponse(status, [("Content-Type", "application/json"), ("Content-Length", String(body.count))]
                          + headers, excInfo: excInfo)
        return [body]
    }
}
