import ArgumentParser
import Foundation

/// Where `gateway serve` takes its settings from, lowest priority first:
/// the `--config` file, then `GATEWAY_*` environment variables, then the
/// command line. File and environment entries become flags placed before
/// the command line's own, so ArgumentParser reads (and checks) every value
/// the same way and the command line's value, coming last, wins.
enum ServeSettings {
    /// The arguments to parse for `serve`: settings first, then `arguments`.
    static func arguments(for arguments: [String], environment: [String: String]) throws -> [String] {
        var entries: [ConfigFile.Entry] = []
        if let path = configPath(in: arguments) ?? environment["GATEWAY_CONFIG"] {
            entries += try ConfigFile(path: path).entries
        }
        entries += ConfigFile.environment(environment).filter { $0.key != "config" }
        var settings: [String] = []
        for entry in entries {
            let flag = try flagArguments(for: entry)
            settings += flag
        }
        return settings + arguments
    }

    /// The path after `--config` or in `--config=PATH`.
    static func configPath(in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--config", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        return nil
    }

    /// The command-line form of one entry, checked alone so an error names
    /// the entry: `["--port", "8000"]`; for a boolean, the flag for true and
    /// its inverse for false (`no-access-log = true` is `["--no-access-log"]`,
    /// `no-access-log = false` is `["--access-log"]`), so a later source can
    /// turn off what an earlier one turned on.
    static func flagArguments(for entry: ConfigFile.Entry) throws -> [String] {
        guard entry.key != "config", entry.key != "help", !entry.key.hasPrefix("-"),
              entry.key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        else { throw ConfigError.unknownKey(origin: entry.origin, key: entry.key) }
        let flag = "--" + entry.key
        // A boolean flag (no value) parses alone.
        if (try? Serve.parse([flag])) != nil, (try? Serve.parse([flag, entry.value])) == nil {
            switch entry.value.lowercased() {
            case "true", "yes", "on", "1": return [flag]
            case "false", "no", "off", "0": return [try inverse(of: flag, entry: entry)]
            default:
                throw ConfigError.badValue(origin: entry.origin, key: entry.key, value: entry.value, reason: "expected true or false")
            }
        }
        do {
            _ = try Serve.parse([flag, entry.value])
        } catch {
            let message = Serve.message(for: error)
            if message.contains("Unknown option") || message.contains("Unexpected argument") {
                throw ConfigError.unknownKey(origin: entry.origin, key: entry.key)
            }
            throw ConfigError.badValue(origin: entry.origin, key: entry.key, value: entry.value, reason: message)
        }
        return [flag, entry.value]
    }

    /// `--access-log` for `--no-access-log` and back: every boolean of
    /// `serve` is a `.prefixedNo` pair.
    private static func inverse(of flag: String, entry: ConfigFile.Entry) throws -> String {
        let name = flag.dropFirst(2)
        let inverse = name.hasPrefix("no-") ? "--" + name.dropFirst(3) : "--no-" + name
        guard (try? Serve.parse([inverse])) != nil else {
            throw ConfigError.badValue(origin: entry.origin, key: entry.key, value: entry.value, reason: "it can only be turned on")
        }
        return inverse
    }
}
