import Foundation
import Gateway
import GatewayMiddleware

/// A JSON REST API over an in-memory store (`gateway serve --app api`):
///
/// | request | answer |
/// | --- | --- |
/// | `GET /items` | 200, the list |
/// | `POST /items` `{"name": "pen", "quantity": 3}` | 201, the item with its `id`, `Location: /items/1` |
/// | `GET /items/1` | 200, the item |
/// | `PUT /items/1` `{"name": "pen", "quantity": 4}` | 200, the item |
/// | `DELETE /items/1` | 204 |
///
/// Errors are JSON `{"error": "..."}`: 400 for a malformed body, 404 for an
/// unknown id or path, 405 with `Allow` for a wrong method, 415 for a body
/// that is not `application/json`. Paths are read from `PATH_INFO`, so the
/// API works mounted anywhere (under `/api` in the stack app).
public func itemsAPI(store: ItemStore = ItemStore()) -> Application {
    return { environ, startResponse in
        let method = environ["REQUEST_METHOD"] ?? "GET"
        let segments = (environ["PATH_INFO"] ?? "").split(separator: "/", omittingEmptySubsequences: true)
        let base = environ["SCRIPT_NAME"] ?? ""
        let reply = JSONReply(startResponse: startResponse)
        guard segments.first == "items", segments.count <= 2 else { return try reply.error(404, "no such resource") }

        if segments.count == 1 {
            switch method {
            case "GET", "HEAD":
                return try reply.send(200, store.all)
            case "POST":
                let input: ItemInput
                switch decodeBody(environ) {
                case .success(let decoded): input = decoded
                case .failure(let failure): return try reply.error(failure.status, failure.message)
                }
                let item = store.create(input)
                return try reply.send(201, item, extra: [("Location", "\(base)/items/\(item.id)")])
            default:
                return try reply.error(405, "method not allowed", extra: [("Allow", "GET, HEAD, POST")])
            }
        }
        guard let id = Int(segments[1]), id > 0 else { return try reply.error(404, "no such item") }
        switch method {
        case "GET", "HEAD":
            guard let item = store.get(id) else { return try reply.error(404, "no such item") }
            return try reply.send(200, item)
        case "PUT":
            guard store.get(id) != nil else { return try reply.error(404, "no such item") }
            let input: ItemInput
            switch decodeBody(environ) {
            case .success(let decoded): input = decoded
            case .failure(let failure): return try reply.error(failure.status, failure.message)
            }
            guard let item = store.replace(id, with: input) else { return try reply.error(404, "no such item") }
            return try reply.send(200, item)
        case "DELETE":
            guard store.delete(id) else { return try reply.error(404, "no such item") }
            try startResponse("204 No Content", [])
            return [String]()
        default:
            return try reply.error(405, "method not allowed", extra: [("Allow", "GET, HEAD, PUT, DELETE")])
        }
    }
}

/// Why a request body could not become an ``ItemInput``.
private struct BodyFailure: Error {
    let status: Int
    let message: String
}

private func decodeBody(_ environ: Environ) -> Result<ItemInput, BodyFailure> {
    let type = (environ["CONTENT_TYPE"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    guard type == "application/json" || type.hasSuffix("+json") else {
        return .failure(BodyFailure(status: 415, message: "send application/json"))
    }
    do {
        let body = try environ.input.read(1024 * 1024 + 1)
        guard body.count <= 1024 * 1024 else { return .failure(BodyFailure(status: 413, message: "body too large")) }
        let input = try JSONDecoder().decode(ItemInput.self, from: Data(body))
        guard !input.name.isEmpty else { return .failure(BodyFailure(status: 400, message: "name must not be empty")) }
        return .success(input)
    } catch {
        return .failure(BodyFailure(status: 400, message: "malformed JSON body"))
    }
}

/// Writes JSON responses.
private struct JSONReply {
    let startResponse: StartResponse

    func send(_ status: Int, _ value: some Encodable, extra: [(String, String)] = []) throws -> any ResponseBody {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Array(try encoder.encode(value)) + [10]
        try startResponse("\(status) \(ResponseStatus.reasonPhrase(for: status))",
                          [("Content-Type", "application/json")] + extra)
        return [body]
    }

    func error(_ status: Int, _ message: String, extra: [(String, String)] = []) throws -> any ResponseBody {
        try send(status, ["error": message], extra: extra)
    }
}
