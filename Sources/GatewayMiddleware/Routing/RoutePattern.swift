/// A route's path split into segments: `/items/:id` is the literal `items`
/// then the parameter `id`. Segments are compared with `PATH_INFO`'s, which
/// the server has percent-decoded.
struct RoutePattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let text: String
    let segments: [Segment]

    /// Parses `text`. A route's pattern is matched whole, so a trailing
    /// slash counts (`/items/` is not `/items`); a mount's is a prefix of
    /// whole segments, so empty segments are dropped (`/static/` is `/static`).
    init(_ text: String, forMount: Bool) {
        precondition(text.hasPrefix("/") || (forMount && text.isEmpty), "a route pattern starts with '/': \(text)")
        var parts = RoutePattern.split(Substring(text))
        if forMount { parts.removeAll { $0.isEmpty } }
        var names: Set<String> = []
        segments = parts.map { part in
            guard part.hasPrefix(":") else { return .literal(String(part)) }
            let name = String(part.dropFirst())
            precondition(!name.isEmpty, "a path parameter needs a name: \(text)")
            precondition(names.insert(name).inserted, "path parameter ':\(name)' twice in \(text)")
            return .parameter(name)
        }
        self.text = text
    }

    /// The segments of a path after its leading slash: "/a/b" is ["a", "b"],
    /// "/" and "" are [""], "/a/" is ["a", ""]. Empty when the path does not
    /// start with a slash: no pattern has zero segments, so nothing routes it.
    static func split(_ path: Substring) -> [Substring] {
        let path = path.isEmpty ? "/" : path
        guard path.hasPrefix("/") else { return [] }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The parameters when `path` is exactly these segments.
    func match(_ path: [Substring]) -> [(String, String)]? {
        guard path.count == segments.count else { return nil }
        return matchPrefix(path)
    }

    /// The parameters when `path` starts with these segments.
    func matchPrefix(_ path: [Substring]) -> [(String, String)]? {
        guard path.count >= segments.count else { return nil }
        var parameters: [(String, String)] = []
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters.append((name, String(part)))
            }
        }
        return parameters
    }

    /// Orders patterns that match the same path: a literal segment beats a
    /// parameter at the first place they differ (`/items/new` before `/items/:id`).
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return segments.count > other.segments.count
    }
}
