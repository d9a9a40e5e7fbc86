#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one place JSON is encoded and decoded (Foundation's coders; on Linux
/// its smaller FoundationEssentials, without ICU).
enum JSONCoding {
    /// `value` as JSON with sorted keys (the same value, the same bytes) and
    /// a final newline, as curl users expect.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    /// `bytes` decoded as `type`; a failure is a 400 that says where.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw JSONBodyError.malformed(describe(error))
        } catch {
            throw JSONBodyError.malformed("not valid JSON")
        }
    }

    /// A short account of a decoding error for the client: which field, and
    /// what was wrong; never the body's text.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "expected \(kind(type)) at the top" : "field '\(at)' must be \(kind(type))"
        case .valueNotFound(let type, let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "expected \(kind(type)), got null" : "field '\(at)' must be \(kind(type)), not null"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "not valid JSON" : "field '\(at)' has an invalid value"
        @unknown default:
            return "not valid JSON"
        }
    }

    /// A JSON word for a Swift type: "a number", "a string", ...
    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type, is Character.Type: "a string"
        case is Bool.Type: "true or false"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        default: "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
