/// Why a request body could not be decoded as JSON: too large (413), not
/// JSON or not the expected shape (400), or not sent as JSON (415). An
/// ``HTTPError``: ``Router`` and ``catchErrors(debug:)`` answer it with its
/// status and message.
///
/// ```swift
/// let input = try environ.decodeJSON(ItemInput.self)   // throws JSONBodyError on bad input
/// ```
public enum JSONBodyError: HTTPError, Equatable {
    /// The body is over the limit given to `decodeJSON(_:maxBytes:)` (the limit, in bytes).
    case tooLarge(Int)
    /// The body is not JSON, or not the shape expected; the text says where, never what the body held.
    case malformed(String)
    /// The request's `Content-Type` (given, or empty) is not `application/json` nor a `+json` type.
    case unsupportedMediaType(String)

    /// 413, 400 or 415.
    public var status: Int {
        switch self {
        case .tooLarge: 413
        case .malformed: 400
        case .unsupportedMediaType: 415
        }
    }

    /// A short text for the client and the log.
    public var message: String {
        switch self {
        case .tooLarge(let limit): "body too large: at most \(limit) bytes"
        case .malformed(let what): "malformed JSON body: \(what)"
        case .unsupportedMediaType(let type): type.isEmpty ? "send the body as application/json" : "send the body as application/json, not \(type)"
        }
    }
}
