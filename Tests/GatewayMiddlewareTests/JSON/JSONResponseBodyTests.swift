import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("startResponse.json")
struct JSONResponseBodyTests {
    struct Item: Codable, Equatable {
        var id: Int
        var name: String
        var url: String
    }

    static let item = Item(id: 7, name: "pen", url: "/items/7")
    static let itemJSON = #"{"id":7,"name":"pen","url":"/items/7"}"# + "\n"

    @Test func encodesWithTypeAndLength() throws {
        let app: Application = { _, startResponse in try startResponse.json(Self.item) }
        let response = try TestClient(app).get("/")
        #expect(response.status == 200)
        #expect(response.text == Self.itemJSON)  // sorted keys, slashes unescaped, a final newline
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Content-Length") == String(Self.itemJSON.utf8.count))
        #expect(try response.decode(Item.self) == Self.item)
    }

    @Test func statusAndHeadersAreTheCallers() throws {
        let app: Application = { _, startResponse in
            try startResponse.json(Self.item, status: .created,
                                   headers: [("Location", "/items/7"), ("Content-Length", "1")])
        }
        let response = try TestClient(app).post("/")
        #expect(response.status == 201)
        #expect(response.reason == "Created")
        #expect(response.header("Location") == "/items/7")
        #expect(response.headerValues("Content-Length") == [String(Self.itemJSON.utf8.count)])  // the caller's is replaced
    }

    @Test func anotherJSONTypeIsKept() throws {
        let app: Application = { _, startResponse in
            try startResponse.json(["title": "gone"], status: .gone, headers: [("Content-Type", "application/problem+json")])
        }
        let response = try TestClient(app).get("/")
        #expect(response.headerValues("Content-Type") == ["application/problem+json"])
        #expect(response.text == #"{"title":"gone"}"# + "\n")
    }

    @Test(arguments: ServerKind.allCases)
    func headGetsTheHeadersWithoutTheBody(kind: ServerKind) throws {
        let app: Application = { _, startResponse in try startResponse.json(Self.item) }
        #expect(try TestClient(app).head("/").body.isEmpty)
        try withServer(kind, app: app) { _, client throws in
            let head = try client.request("HEAD", "/")
            #expect(head.header("Content-Length") == String(Self.itemJSON.utf8.count))
            #expect(head.header("Content-Type") == "application/json")
            // Nothing was sent after HEAD's head: the next response reads cleanly.
            #expect(try client.get("/").text == Self.itemJSON)
        }
    }
}
