/// An error that stands for an HTTP client error (4xx) rather than a bug:
/// ``catchErrors(debug:)`` answers it with its own status and message,
/// which are meant for the client. ``FormError`` is one.
///
/// ```swift
/// struct Gone: HTTPError { var status: Int { 410 }; var message: String { "gone" } }
/// ```
public protocol HTTPError: Error {
    /// The status code, e.g. 413.
    var status: Int { get }
    /// A short text safe to show the client.
    var message: String { get }
}
