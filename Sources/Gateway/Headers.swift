/// wsgiref.headers.Headers: an ordered list of response headers with
/// case-insensitive lookup, repeats allowed.
///
/// ```swift
/// var headers: Headers = [("Content-Type", "text/plain")]
/// headers["X-Request-Id"] = "42"                 // replaces any existing
/// headers.addHeader("Content-Disposition", "attachment", parameters: ["filename": "a.txt"])
/// try startResponse("200 OK", headers.items)
/// ```
public struct Headers: Equatable, CustomStringConvertible, ExpressibleByArrayLiteral, Sequence {
    /// The headers in order, as `start_response` takes them.
    public private(set) var items: [(String, String)]

    /// Headers from a list of name-value pairs, in order.
    public init(_ items: [(String, String)] = []) {
        self.items = items
    }

    /// `[("Content-Type", "text/plain"), ("X-Id", "1")]`.
    public init(arrayLiteral elements: (String, String)...) {
        self.items = elements
    }

    /// Equal when the same pairs stand in the same order (names compared as written).
    public static func == (lhs: Headers, rhs: Headers) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0 == $1 }
    }

    /// Iterates the name-value pairs in order.
    public func makeIterator() -> IndexingIterator<[(String, String)]> { items.makeIterator() }

    /// How many header lines there are (repeats count).
    public var count: Int { items.count }

    /// The first value of `name`; setting replaces every `name` header by one
    /// at the end, setting nil removes them all.
    public subscript(name: String) -> String? {
        get { items.first { $0.0.caseInsensitiveEquals(name) }?.1 }
        set {
            remove(name)
            if let newValue { items.append((name, newValue)) }
        }
    }

    /// True when a header of that name is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// The first value of `name`, or `defaultValue`.
    public func get(_ name: String, default defaultValue: String? = nil) -> String? {
        self[name] ?? defaultValue
    }

    /// Every value of `name`, in order (empty when absent).
    public func getAll(_ name: String) -> [String] {
        items.filter { $0.0.caseInsensitiveEquals(name) }.map(\.1)
    }

    /// The names, in order, repeats kept.
    public var keys: [String] { items.map(\.0) }
    /// The values, in order.
    public var values: [String] { items.map(\.1) }

    /// Removes every header of that name (nothing happens when absent).
    public mutating func remove(_ name: String) {
        items.removeAll { $0.0.caseInsensitiveEquals(name) }
    }

    /// Returns the first value of `name`; when absent, adds `value` and returns it.
    @discardableResult
    public mutating func setDefault(_ name: String, _ value: String) -> String {
        if let existing = self[name] { return existing }
        items.append((name, value))
        return value
    }

    /// Adds a header with parameters, as wsgiref's `add_header`: a parameter
    /// with a value becomes `key="value"`, one without becomes `key`; `_` in
    /// keys becomes `-`. Non-ASCII values use RFC 2231 (`key*=UTF-8''...`).
    ///
    /// ```swift
    /// headers.addHeader("Content-Disposition", "attachment", parameters: ["filename": "bud.gif"])
    /// // Content-Disposition: attachment; filename="bud.gif"
    /// ```
    public mutating func addHeader(_ name: String, _ value: String?, parameters: KeyValuePairs<String, String?> = [:]) {
        var parts: [String] = []
        if let value { parts.append(value) }
        for (key, parameter) in parameters {
            let key = key.replacingUnderscores()
            guard let parameter else {
                parts.append(key)
                continue
            }
            if parameter.utf8.allSatisfy({ $0 < 0x80 }) {
                let escaped = parameter.replacingOccurrences("\\", with: "\\\\").replacingOccurrences("\"", with: "\\\"")
                parts.append("\(key)=\"\(escaped)\"")
            } else {
                parts.append("\(key)*=UTF-8''\(urlQuote(parameter, safe: "!#$&+^`|"))")
            }
        }
        items.append((name, parts.joined(separator: "; ")))
    }

    /// The headers as they go on the wire: `Name: value\r\n` each, then an
    /// empty line.
    public var description: String {
        items.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }

    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
