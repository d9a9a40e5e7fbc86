import Gateway
import GatewayMiddleware
import Synchronization

struct Item: Codable, Sendable {
    var id: Int
    var name: String
}

struct NewItem: Decodable {
    var name: String
}

let items = Mutex<[Int: Item]>([:])

func itemsApp() -> Application {
    var router = Router(errors: .json)  // 404, 405 and bad bodies answered as {"error": "..."}
    router.get("/items/:id") { environ, startResponse in
        let id = try environ.pathParameters.require("id", as: Int.self)  // not a number: 404
        guard let item = items.withLock({ $0[id] }) else {
            return try startResponse.json(["error": "no such item"], status: .notFound)
        }
        return try startResponse.json(item)
    }
    router.post("/items") { environ, startResponse in
        let new = try environ.decodeJSON(NewItem.self)
        let item = items.withLock { items in
            let item = Item(id: items.count + 1, name: new.name)
            items[item.id] = item
            return item
        }
        return try startResponse.json(item, status: .created, headers: [("Location", "/items/\(item.id)")])
    }
    return router.application
}
// End of the README's example ("Routes and JSON"): the README test checks
// that README.md shows the text above as it is here.

import GatewayTesting
import Testing

@Suite("the README's router example")
struct ReadmeRouterExampleTests {
    @Test func createsReadsAndRefuses() throws {
        let client = TestClient(itemsApp())
        let created = try client.post("/items", body: .json(["name": "pen"]))
        #expect(created.status == 201)
        let id = try #require(created.header("Location")?.split(separator: "/").last.flatMap { Int($0) })
        #expect(created.text == #"{"id":\#(id),"name":"pen"}"# + "\n")
        #expect(try client.get("/items/\(id)").text == #"{"id":\#(id),"name":"pen"}"# + "\n")
        #expect(try client.head("/items/\(id)").body.isEmpty)

        let missing = try client.get("/items/999999")
        #expect(missing.status == 404)
        #expect(missing.text == #"{"error":"no such item"}"# + "\n")
        #expect(try client.get("/items/pen").status == 404)
        let wrong = try client.delete("/items/\(id)")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        let form = try client.post("/items", body: .form([("name", "pen")]))
        #expect(form.status == 415)
        #expect(form.header("Content-Type") == "application/json")
        let malformed = try client.post("/items", body: .json(["title": "pen"]))
        #expect(malformed.status == 400)
        #expect(malformed.text == #"{"error":"malformed JSON body: missing field 'name'"}"# + "\n")
    }
}
