/// Why a form could not be read: a limit (413), a malformed body (400), or
/// a content type that is not a form (415). It is an ``HTTPError``, so
/// ``catchErrors(debug:)`` answers it with its status.
///
/// ```swift
/// do { form = try parseForm(environ) }
/// catch let error as FormError { /* error.status, error.message */ }
/// ```
public enum FormError: HTTPError, Equatable {
    /// The body, a field, a file or the number of parts is past a ``FormLimits`` limit (413); the text names which.
    case tooLarge(String)
    /// The body does not follow its content type's grammar (400); the text says where.
    case malformed(String)
    /// The request's `Content-Type` (given) is neither `application/x-www-form-urlencoded` nor `multipart/form-data` (415).
    case unsupportedMediaType(String)

    /// The status to answer with: 413, 400 or 415.
    public var status: Int {
        switch self {
        case .tooLarge: 413
        case .malformed: 400
        case .unsupportedMediaType: 415
        }
    }

    /// A short text for the response body and the log.
    public var message: String {
        switch self {
        case .tooLarge(let what): "too large: \(what)"
        case .malformed(let what): "malformed form: \(what)"
        case .unsupportedMediaType(let type): "not a form: \(type)"
        }
    }
}
