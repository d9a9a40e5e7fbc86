import GatewayTesting
import ItemsAPI
import Testing

/// The API in-process, through TestClient: no socket, no server.
@Suite struct ItemsAPITests {
    let client = TestClient(itemsApp())

    @Test func addListGetAndDelete() throws {
        #expect(try client.get("/items").text == "[]\n")

        let created = try client.post("/items", body: .json(NewItem(name: "pen", quantity: 3)))
        #expect(created.status == 201)
        #expect(created.header("Location") == "/items/1")
        #expect(created.text == #"{"id":1,"name":"pen","quantity":3}"# + "\n")

        #expect(try client.get("/items").text == #"[{"id":1,"name":"pen","quantity":3}]"# + "\n")
        #expect(try client.get("/items/1").text == #"{"id":1,"name":"pen","quantity":3}"# + "\n")

        let head = try client.head("/items/1")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)

        #expect(try client.delete("/items/1").status == 204)
        let gone = try client.get("/items/1")
        #expect(gone.status == 404)
        #expect(gone.text == #"{"error":"no such item"}"# + "\n")
    }

    @Test func badBodiesAreRefused() throws {
        let notJSON = try client.post("/items", body: .text("pen"))
        #expect(notJSON.status == 415)
        let tooLarge = try client.post("/items", body: .bytes([UInt8](repeating: 0x20, count: 2 << 20), contentType: "application/json"))
        #expect(tooLarge.status == 413)
        let malformed = try client.post("/items", body: .bytes(Array("{\"name\":".utf8), contentType: "application/json"))
        #expect(malformed.status == 400)
        #expect(malformed.text == #"{"error":"malformed JSON body: not valid JSON"}"# + "\n")
    }

    @Test func wrongMethodsAndPaths() throws {
        let put = try client.put("/items", body: .json(NewItem(name: "pen", quantity: 1)))
        #expect(put.status == 405)
        #expect(put.header("Allow") == "GET, HEAD, POST")
        #expect(try client.get("/nothing").status == 404)
        #expect(try client.get("/items/abc").status == 404)
    }
}
