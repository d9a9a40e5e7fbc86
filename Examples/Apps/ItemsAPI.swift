import Gateway
import GatewayMiddleware

/// A JSON REST API over an in-memory store (`gateway serve --app api`),
/// written with ``Router`` and the JSON helpers:
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
/// unknown id or path, 405 with `Allow` for a wrong method, 413 past 1 MiB,
/// 415 for a body that is not `application/json`. Paths are read from
/// `PATH_INFO`, so the API works mounted anywhere (under `/api` in the stack app).
public func itemsAPI(store: ItemStore = ItemStore()) -> Application {
    var router = Router(errors: .json)
    router.get("/items") { _, startResponse in
        try startResponse.json(store.all)
    }
    router.post("/items") { environ, startResponse in
        let item = store.create(try validated(environ.decodeJSON(ItemInput.self)))
        let location = "\(environ["SCRIPT_NAME"] ?? "")/items/\(item.id)"
        return try startResponse.json(item, status: .created, headers: [("Location", location)])
    }
    router.get("/items/:id") { environ, startResponse in
        guard let item = store.get(try itemID(environ)) else { throw NoSuchItem() }
        return try startResponse.json(item)
    }
    router.put("/items/:id") { environ, startResponse in
        let id = try itemID(environ)
        guard store.get(id) != nil else { throw NoSuchItem() }
        guard let item = store.replace(id, with: try validated(environ.decodeJSON(ItemInput.self))) else { throw NoSuchItem() }
        return try startResponse.json(item)
    }
    router.delete("/items/:id") { environ, startResponse in
        guard store.delete(try itemID(environ)) else { throw NoSuchItem() }
        try startResponse(.noContent, [])
        return [String]()
    }
    return router.application
}

/// The id of `/items/:id`: a positive number, or no such item.
private func itemID(_ environ: Environ) throws -> Int {
    let id = try environ.pathParameters.require("id", as: Int.self)
    guard id > 0 else { throw NoSuchItem() }
    return id
}

private func validated(_ input: ItemInput) throws -> ItemInput {
    guard !input.name.isEmpty else { throw InvalidItem() }
    return input
}

/// 404 in the router's words: `{"error": "no such item"}`.
private struct NoSuchItem: HTTPError {
    var status: Int { 404 }
    var message: String { "no such item" }
}

private struct InvalidItem: HTTPError {
    var status: Int { 400 }
    var message: String { "name must not be empty" }
}
