import Foundation
import Gateway

/// Reads a request's JSON body as a ``NewItem``, or says which answer a
/// bad one gets: 415 (not JSON), 413 (too large), 400 (malformed).
enum NewItemBody {
    static let maxBytes = 64 * 1024

    static func read(_ environ: Environ) -> Result<NewItem, BodyError> {
        let type = (environ["CONTENT_TYPE"] ?? "").split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else { return .failure(BodyError(status: "415 Unsupported Media Type", message: "send application/json")) }
        guard let bytes = try? environ.input.read(maxBytes + 1) else { return .failure(BodyError(status: "400 Bad Request", message: "unreadable body")) }
        guard bytes.count <= maxBytes else { return .failure(BodyError(status: "413 Content Too Large", message: "at most \(maxBytes) bytes")) }
        guard let item = try? JSONDecoder().decode(NewItem.self, from: Data(bytes)), !item.name.isEmpty else {
            return .failure(BodyError(status: "400 Bad Request", message: "expected {\"name\": \"...\", \"quantity\": 1}"))
        }
        return .success(item)
    }
}

/// Why a body was refused, and with which status.
struct BodyError: Error {
    let status: String
    let message: String
}
