/// The CGI variables and `HTTP_*` headers of an environ: a small map from
/// name to value, in the order they were added.
///
/// A request has a dozen or two of them, so they live in one array and are
/// found by a linear scan: cheaper than hashing every name of every request.
///
/// ```swift
/// environ.variables["HTTP_X_REQUEST_ID"] = "42"
/// for (key, value) in environ.variables { print(key, value) }
/// ```
public struct EnvironVariables: Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One variable: its PEP 3333 name and its value.
    public typealias Element = (key: String, value: String)

    /// One stored variable. A struct rather than the tuple ``Element``: an
    /// array of it is copied and destroyed by compiled code, where an array
    /// of tuples goes through the runtime's generic walk, element by element.
    @usableFromInline
    package struct Entry: Sendable {
        @usableFromInline package var key: String
        @usableFromInline package var value: String

        @inlinable package init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var entries: [Entry] = []

    /// No variables.
    public init() {}

    /// Room for `capacity` entries before the storage grows.
    public init(minimumCapacity capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    /// Takes `entries` as the storage (a server's parsed header entries, to
    /// which it appends the CGI variables without a second array).
    package init(adopting entries: __owned [Entry]) {
        self.entries = entries
    }

    /// The entries of a dictionary (in the dictionary's order).
    public init(_ dictionary: [String: String]) {
        entries = dictionary.map { Entry($0.key, $0.value) }
    }

    /// `["REQUEST_METHOD": "GET", "PATH_INFO": "/"]`; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value of `key`; setting replaces it in place, nil removes it.
    public subscript(key: String) -> String? {
        get { index(of: key).map { entries[$0].value } }
        set {
            if let index = index(of: key) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key, newValue))
            }
        }
    }

    /// Sets `value` and returns the value it replaced, if any.
    @discardableResult
    public mutating func updateValue(_ value: String, forKey key: String) -> String? {
        if let index = index(of: key) {
            defer { entries[index].value = value }
            return entries[index].value
        }
        entries.append(Entry(key, value))
        return nil
    }

    /// Adds an entry known not to be present yet (servers filling a new environ).
    @inlinable
    package mutating func appendNew(_ key: String, _ value: String) {
        entries.append(Entry(key, value))
    }

    /// How many variables there are.
    public var count: Int { entries.count }
    /// True when there are none.
    public var isEmpty: Bool { entries.isEmpty }
    /// The names, in the order they were added.
    public var keys: [String] { entries.map(\.key) }

    /// The entries as a dictionary.
    public var dictionary: [String: String] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Iterates the entries in the order they were added.
    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }

    /// The entries, in the order they were added, as `(key, value)` pairs.
    public struct Iterator: IteratorProtocol {
        @usableFromInline var base: IndexingIterator<[Entry]>

        @usableFromInline init(base: IndexingIterator<[Entry]>) { self.base = base }

        /// The next entry; nil after the last.
        @inlinable public mutating func next() -> Element? {
            base.next().map { ($0.key, $0.value) }
        }
    }

    /// The entries as a dictionary would print them.
    public var description: String { dictionary.description }

    /// Keys are unique, so the scan may run from the end: a server's environ
    /// ends with the CGI variables, the ones applications read most.
    private func index(of key: String) -> Int? {
        let length = key.utf8.count
        var index = entries.count
        while index > 0 {  // a plain loop: `indices.reversed()` went through generic witnesses
            index -= 1
            if entries[index].key.utf8.count == length && entries[index].key == key { return index }
        }
        return nil
    }
}
