import ArgumentParser
import Foundation

/// Where `serve` takes its settings from, lowest priority first: the
/// `--config` file, then `GATEWAY_*` environment variables, then the
/// command line. File and environment entries become flags placed before
/// the command line's own, so ArgumentParser reads (and checks) every value
/// the same way and the command line's value, coming last, wins.
///
/// An unknown key in the file stops the start; an unknown `GATEWAY_*`
/// variable only gets a warning, since a service's own variables may share
/// the prefix (and a variable set for one program reaches its children).
enum ServeSettings {
    /// The arguments to parse for `serve`: settings first, then `arguments`;
    /// and the warnings to print.
    static func arguments(for arguments: [String], environment: [String: String]) throws -> (arguments: [String], warnings: [String]) {
        var settings: [String] = []
        if let path = configPath(in: arguments) ?? environment["GATEWAY_CONFIG"] {
            for entry in try ConfigFile(path: path).entries {
                settings += try flagArguments(for: entry)
            }
        }
        var warnings: [String] = []
        for entry in ConfigFile.environment(environment) where entry.key != "config" {
            do {
                settings += try flagArguments(for: entry)
            } catch ConfigError.unknownKey(_, _, let suggestion) {
                let hint = suggestion.map { "; did you mean \(ConfigFile.variableName(for: $0))?" } ?? ""
                warnings.append("\(entry.origin) is not a setting of `\(ServiceCommand.current.name) serve`, ignored\(hint)")
            }
        }
        return (settings + arguments, warnings)
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
        else { throw ConfigError.unknownKey(origin: entry.origin, key: entry.key, suggestion: SettingKeys.suggestion(for: entry.key)) }
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
                throw ConfigError.unknownKey(origin: entry.origin, key: entry.key, suggestion: SettingKeys.suggestion(for: entry.key))
            }
            throw ConfigError.badValue(origin: entry.origin, key: entry.key, value: entry.value, reason: reason(message, flag: flag))
        }
        return [flag, entry.value]
    }

    /// A bound's message without the flag and value it starts with, which
    /// the entry's own message names already ("--threads -1: must be 0 or
    /// more" is "must be 0 or more").
    private static func reason(_ message: String, flag: String) -> String {
        guard message.hasPrefix(flag + " "), let colon = message.range(of: ": ") else { return message }
        return String(message[colon.upperBound...])
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
