import Foundation

/// The settings file `gateway serve --config PATH` reads: one `key = value`
/// per line, keys named after the `serve` flags without their dashes
/// (`port = 8000`, `forwarded-allow-ips = 127.0.0.1, unix`,
/// `no-access-log = true`), `#` comments, blank lines; a value may be
/// double-quoted to keep leading or trailing spaces.
///
/// ```
/// # /etc/eventgateway/gateway.conf
/// app = demo
/// processes = 2
/// ```
///
/// Why not apple/swift-configuration: its file providers load
/// asynchronously, while this runs before prefork forks (no other thread
/// may exist yet), and it cannot list a file's keys, so unknown ones could
/// not be refused. Values are still read by ArgumentParser, not by hand.
struct ConfigFile {
    struct Entry: Equatable {
        let key: String
        let value: String
        /// Where it was set, for error messages: "PATH:LINE" or "GATEWAY_PORT".
        let origin: String
    }

    let entries: [Entry]

    init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(text: text, path: path)
    }

    init(text: String, path: String) throws {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(path):\(index + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else { throw ConfigError.syntax(origin: origin, line: line) }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard !key.isEmpty else { throw ConfigError.syntax(origin: origin, line: line) }
            guard !entries.contains(where: { $0.key == key }) else { throw ConfigError.duplicate(origin: origin, key: key) }
            entries.append(Entry(key: key, value: value, origin: origin))
        }
        self.entries = entries
    }

    /// The variable for a key: `max-body-bytes` is `GATEWAY_MAX_BODY_BYTES`.
    static func variableName(for key: String) -> String {
        "GATEWAY_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The `GATEWAY_*` environment variables as entries: `GATEWAY_MAX_BODY_BYTES` is `max-body-bytes`.
    static func environment(_ variables: [String: String]) -> [Entry] {
        variables.filter { $0.key.hasPrefix("GATEWAY_") && $0.key.count > 8 }.sorted { $0.key < $1.key }.map { name, value in
            Entry(key: name.dropFirst(8).lowercased().replacingOccurrences(of: "_", with: "-"), value: value, origin: name)
        }
    }
}
