/// A path parameter whose text does not convert to the type the application
/// asked for (`/items/abc` for `require("id", as: Int.self)`): no such
/// resource, so 404. An ``HTTPError``: ``Router`` and
/// ``catchErrors(debug:)`` answer it.
///
/// ```swift
/// let id = try environ.pathParameters.require("id", as: Int.self)  // throws PathParameterError
/// ```
public struct PathParameterError: HTTPError, Equatable {
    /// The parameter's name.
    public var name: String
    /// The text it matched.
    public var value: String

    /// The error for `name`, which matched `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// 404.
    public var status: Int { 404 }

    /// Names the parameter, not its value (which the client sent).
    public var message: String { "no such resource (path parameter '\(name)')" }
}
