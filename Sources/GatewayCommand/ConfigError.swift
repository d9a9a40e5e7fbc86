/// A settings file or variable that cannot be used.
enum ConfigError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(origin: String, line: String)
    case duplicate(origin: String, key: String)
    /// `suggestion`: the nearest key, for a "did you mean".
    case unknownKey(origin: String, key: String, suggestion: String?)
    case badValue(origin: String, key: String, value: String, reason: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read the configuration \(path): \(reason)"
        case .syntax(let origin, let line): return "\(origin): expected 'key = value', found \(line.debugDescription)"
        case .duplicate(let origin, let key): return "\(origin): '\(key)' is set twice"
        case .unknownKey(let origin, let key, let suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            return "\(origin): unknown key '\(key)'\(hint) (keys are the flags of `\(ServiceCommand.current.name) help serve`)"
        case .badValue(let origin, let key, let value, let reason):
            return "\(origin): bad value \(value.debugDescription) for '\(key)': \(reason)"
        }
    }
}
