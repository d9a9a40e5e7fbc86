import Gateway

/// The environ key (in `Environ.extras`) under which ``Router`` puts the
/// path parameters of the route it chose; read them with
/// ``Gateway/Environ/pathParameters``.
public let pathParametersKey = "gateway.route.parameters"

/// The values a ``Router`` pattern's `:name` segments matched, percent-decoded
/// (they are segments of `PATH_INFO`). A mount's parameters and its inner
/// router's add up.
///
/// ```swift
/// router.get("/users/:user/items/:id") { environ, startResponse in
///     let user = environ.pathParameters["user"]                      // "ada"
///     let id = try environ.pathParameters.require("id", as: Int.self) // 404 unless a number
///     ...
/// }
/// ```
public struct PathParameters: Sendable, Equatable {
    /// The parameters in the order of the pattern's segments.
    public private(set) var items: [(name: String, value: String)]

    /// Parameters from name-value pairs (tests build environs with these).
    public init(_ items: [(String, String)] = []) {
        self.items = items.map { (name: $0.0, value: $0.1) }
    }

    /// The value of the parameter `name`, or nil when the route has none so named.
    public subscript(name: String) -> String? {
        items.last { $0.name == name }?.value
    }

    /// The value of `name`; a route without it is a bug in the application,
    /// so the error is not an ``HTTPError`` (the client gets a 500).
    public func require(_ name: String) throws -> String {
        guard let value = self[name] else { throw MissingParameter(name: name) }
        return value
    }

    /// The value of `name` converted, e.g. `require("id", as: Int.self)`; a
    /// value that does not convert is a resource that does not exist, a
    /// ``PathParameterError`` (404).
    public func require<Value: LosslessStringConvertible>(_ name: String, as type: Value.Type) throws -> Value {
        let text = try require(name)
        guard let value = Value(text) else { throw PathParameterError(name: name, value: text) }
        return value
    }

    /// These parameters followed by `more` (a later one of the same name wins).
    func adding(_ more: [(String, String)]) -> PathParameters {
        var combined = self
        combined.items += more.map { (name: $0.0, value: $0.1) }
        return combined
    }

    /// Equal when the same names hold the same values in the same order.
    public static func == (lhs: PathParameters, rhs: PathParameters) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0 == $1 }
    }

    /// The route has no parameter of this name (its pattern and its handler disagree).
    public struct MissingParameter: Error, CustomStringConvertible {
        /// The name asked for.
        public var name: String
        /// Says which name.
        public var description: String { "the route has no path parameter '\(name)'" }
    }
}

extension Environ {
    /// The path parameters of the route a ``Router`` chose for this request
    /// (empty outside one).
    ///
    /// ```swift
    /// let id = try environ.pathParameters.require("id", as: Int.self)
    /// ```
    public var pathParameters: PathParameters {
        get { extras[pathParametersKey] as? PathParameters ?? PathParameters() }
        set { extras[pathParametersKey] = newValue }
    }
}
