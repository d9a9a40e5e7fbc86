import Gateway
import GatewayHTTP

/// The few JSON values the probe answers with, written by hand.
enum JSONValue {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    var text: String {
        switch self {
        case .string(let value): return jsonString(value)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { "\(jsonString($0.0)): \($0.1.text)" }.joined(separator: ", ") + "}"
        }
    }
}
