import Gateway
import GatewayMiddleware

/// The items API, on EventGateway's `Router` and JSON helpers:
///
/// | request | answer |
/// | --- | --- |
/// | `GET /items` | 200, every item |
/// | `POST /items` `{"name": "pen", "quantity": 3}` | 201, the item with its id; `Location: /items/1` |
/// | `GET /items/1` | 200, the item; 404 when there is none |
/// | `DELETE /items/1` | 204; 404 when there is none |
///
/// HEAD is answered as GET (the server sends no body); another method on a
/// known path gets 405 with `Allow`; a body that is not JSON 415, too large
/// 413, malformed 400. Errors are `{"error": "..."}`.
public func itemsApp(store: ItemStore = ItemStore()) -> Application {
    var router = Router(errors: .json)
    router.get("/items") { _, startResponse in
        try startResponse.json(store.all)
    }
    router.post("/items") { environ, startResponse in
        let item = store.add(try environ.decodeJSON(NewItem.self))
        let location = (environ["SCRIPT_NAME"] ?? "") + "/items/\(item.id)"
        return try startResponse.json(item, status: .created, headers: [("Location", location)])
    }
    router.get("/items/:id") { environ, startResponse in
        guard let item = store.item(try environ.pathParameters.require("id", as: Int.self)) else {
            return try startResponse.json(["error": "no such item"], status: .notFound)
        }
        return try startResponse.json(item)
    }
    router.delete("/items/:id") { environ, startResponse in
        guard store.remove(try environ.pathParameters.require("id", as: Int.self)) else {
            return try startResponse.json(["error": "no such item"], status: .notFound)
        }
        try startResponse(.noContent, [])
        return [String]()
    }
    return router.application
}
