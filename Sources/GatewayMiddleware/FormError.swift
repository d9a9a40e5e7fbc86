/// Why a form could not be read: a limit (413), a malformed body (400), or
/// a content type that is not a form (415). It is an ``HTTPError``, so
/// ``catchErrors(debug:)`` answers it with its status.
///
/// ```swift
/// do { form = try parseForm(environ) }
/// catch let error as FormError { /* error.status, error.message */ }
/// ```
public enum FormError: HTTPError, Equatable {
    case tooLarge(String)
    case malformed(String)
    case unsupportedMediaType(String)

    public var status: Int {
        switch self {
        case .tooLarge: 413
        case .malformed: 400
        case .unsupportedMediaType: 415
        }
    }

    public var message: String {
        switch self {
        case .tooLarge(let what): "too large: \(what)"
        case .malformed(let what): "malformed form: \(what)"
        case .unsupportedMediaType(let type): "not a form: \(type)"
        }
    }
}
