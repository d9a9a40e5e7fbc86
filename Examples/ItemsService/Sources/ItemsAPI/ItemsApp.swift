import Gateway

/// The items API:
///
/// | request | answer |
/// | --- | --- |
/// | `GET /items` | 200, every item |
/// | `POST /items` `{"name": "pen", "quantity": 3}` | 201, the item with its id; `Location: /items/1` |
/// | `GET /items/1` | 200, the item; 404 when there is none |
/// | `DELETE /items/1` | 204; 404 when there is none |
///
/// HEAD is answered as GET (the server sends no body); another method gets
/// 405 with `Allow`. Errors are `{"error": "..."}`.
public func itemsApp(store: ItemStore = ItemStore()) -> Application {
    return { environ, startResponse in
        let method = environ["REQUEST_METHOD"] ?? "GET"
        // "/items/1" is ["items", "1"].
        let path = (environ["PATH_INFO"] ?? "").split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.first == "items", path.count <= 2 else { return try jsonError(startResponse, "404 Not Found", "no such resource") }
        guard path.count == 2 else {
            switch method {
            case "GET", "HEAD":
                return try jsonResponse(startResponse, "200 OK", store.all)
            case "POST":
                switch NewItemBody.read(environ) {
                case .failure(let refusal): return try jsonError(startResponse, refusal.status, refusal.message)
                case .success(let new):
                    let item = store.add(new)
                    let location = (environ["SCRIPT_NAME"] ?? "") + "/items/\(item.id)"
                    return try jsonResponse(startResponse, "201 Created", item, headers: [("Location", location)])
                }
            default:
                return try jsonError(startResponse, "405 Method Not Allowed", "use GET or POST", headers: [("Allow", "GET, HEAD, POST")])
            }
        }
        guard let id = Int(path.last!), id > 0 else { return try jsonError(startResponse, "404 Not Found", "no such item") }
        switch method {
        case "GET", "HEAD":
            guard let item = store.item(id) else { return try jsonError(startResponse, "404 Not Found", "no such item") }
            return try jsonResponse(startResponse, "200 OK", item)
        case "DELETE":
            guard store.remove(id) else { return try jsonError(startResponse, "404 Not Found", "no such item") }
            try startResponse("204 No Content", [])
            return [String]()
        default:
            return try jsonError(startResponse, "405 Method Not Allowed", "use GET or DELETE", headers: [("Allow", "GET, HEAD, DELETE")])
        }
    }
}
