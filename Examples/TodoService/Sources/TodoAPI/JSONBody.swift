#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gateway
import GatewayMiddleware

extension Environ {
    /// The request body decoded as JSON, read with `environ.input`'s async
    /// reads (no thread waits for the bytes). The same answers as the
    /// middleware's blocking `decodeJSON` for the transport (415 for another
    /// media type, 413 past `maxBytes`, 400 for bytes that are not JSON),
    /// and ``TodoValidationError`` (422) for JSON of the wrong shape.
    func decodeJSONBody<Value: Decodable>(_ type: Value.Type, maxBytes: Int = 64 << 10) async throws -> Value {
        let contentType = self["CONTENT_TYPE"] ?? ""
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.lowercased().filter { $0 != " " && $0 != "\t" }
        } ?? ""
        guard mediaType == "application/json" || (mediaType.contains("/") && mediaType.hasSuffix("+json")) else {
            throw JSONBodyError.unsupportedMediaType(contentType)
        }
        if let declared = self["CONTENT_LENGTH"].flatMap(Int.init), declared > maxBytes {
            throw JSONBodyError.tooLarge(maxBytes)
        }
        // One byte past the limit tells a body over it (a chunked body declares no length).
        let body = try await input.read(maxBytes + 1)
        guard body.count <= maxBytes else { throw JSONBodyError.tooLarge(maxBytes) }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw JSONBodyError.malformed("not valid JSON")
            }
            throw TodoValidationError(message: describe(error))
        }
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing field '\(path(context.codingPath + [key]))'"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        let expected = type == String.self ? "a string" : type == Bool.self ? "true or false" : "an object"
        let at = path(context.codingPath)
        return at.isEmpty ? "expected \(expected) at the top" : "field '\(at)' must be \(expected)"
    case .dataCorrupted(let context):
        return "field '\(path(context.codingPath))' has an invalid value"
    @unknown default:
        return "not a todo"
    }
}
