import Gateway
import GatewayMiddleware
import GatewayTesting
import Testing

@Suite("decodeJSON")
struct JSONRequestBodyTests {
    struct ItemInput: Codable, Equatable {
        var name: String
        var quantity: Int
        var tags: [Tag]?
        struct Tag: Codable, Equatable { var label: String }
    }

    /// An environ holding `body`, sent as `type`, with its length declared unless `declared` is false.
    static func environ(_ body: String, type: String? = "application/json", declared: Bool = true) -> Environ {
        var variables: EnvironVariables = ["REQUEST_METHOD": "POST"]
        if let type { variables["CONTENT_TYPE"] = type }
        if declared { variables["CONTENT_LENGTH"] = String(body.utf8.count) }
        return Environ(variables: variables, input: RequestInput(Array(body.utf8)))
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON",
                      "application/vnd.api+json", "application/merge-patch+json ; charset=UTF-8"])
    func decodesAJSONBody(type: String) throws {
        let input = try Self.environ(#"{"name": "pen", "quantity": 3}"#, type: type).decodeJSON(ItemInput.self)
        #expect(input == ItemInput(name: "pen", quantity: 3))
    }

    @Test func anotherContentTypeIs415() {
        #expect(throws: JSONBodyError.unsupportedMediaType("text/plain")) {
            try Self.environ("{}", type: "text/plain").decodeJSON(ItemInput.self)
        }
        #expect(throws: JSONBodyError.unsupportedMediaType("")) { try Self.environ("{}", type: nil).decodeJSON(ItemInput.self) }
        #expect(throws: JSONBodyError.unsupportedMediaType("application/jsonx")) {
            try Self.environ("{}", type: "application/jsonx").decodeJSON(ItemInput.self)
        }
        #expect(JSONBodyError.unsupportedMediaType("text/plain").status == 415)
        #expect(JSONBodyError.unsupportedMediaType("text/plain").message == "send the body as application/json, not text/plain")
        #expect(JSONBodyError.unsupportedMediaType("").message == "send the body as application/json")
    }

    @Test func aBodyOverTheLimitIs413() throws {
        let body = #"{"name": "pen", "quantity": 3}"#  // 30 bytes
        // Declared: refused before anything is read.
        let declared = Self.environ(body)
        #expect(throws: JSONBodyError.tooLarge(29)) { try declared.decodeJSON(ItemInput.self, maxBytes: 29) }
        #expect(try declared.input.read().count == 30)
        // Not declared (chunked): refused one byte past the limit.
        #expect(throws: JSONBodyError.tooLarge(29)) {
            try Self.environ(body, declared: false).decodeJSON(ItemInput.self, maxBytes: 29)
        }
        #expect(try Self.environ(body, declared: false).decodeJSON(ItemInput.self, maxBytes: 30).name == "pen")
        #expect(JSONBodyError.tooLarge(29).status == 413)
        #expect(JSONBodyError.tooLarge(29).message == "body too large: at most 29 bytes")
    }

    @Test func malformedBodiesAre400AndSayWhere() {
        let cases: [(String, String)] = [
            ("", "not valid JSON"),
            ("{", "not valid JSON"),
            ("[1, 2]", "expected an object at the top"),
            (#"{"quantity": 3}"#, "missing field 'name'"),
            (#"{"name": "pen", "quantity": "three"}"#, "field 'quantity' must be an integer"),
            (#"{"name": null, "quantity": 3}"#, "field 'name' must be a string, not null"),
            (#"{"name": "pen", "quantity": 3, "tags": [{"label": "a"}, {}]}"#, "missing field 'tags[1].label'"),
        ]
        for (body, reason) in cases {
            #expect(throws: JSONBodyError.malformed(reason), "\(body)") {
                try Self.environ(body).decodeJSON(ItemInput.self)
            }
        }
        #expect(JSONBodyError.malformed("x").status == 400)
        #expect(JSONBodyError.malformed("missing field 'name'").message == "malformed JSON body: missing field 'name'")
    }

    /// The errors as a client sees them, through a router and through catchErrors.
    @Test func aRouterAndCatchErrorsAnswerWithTheStatus() throws {
        var router = Router(errors: .json)
        router.post("/items") { environ, startResponse in
            try startResponse.json(try environ.decodeJSON(ItemInput.self), status: .created)
        }
        let client = TestClient(router.application)
        let created = try client.post("/items", body: .json(ItemInput(name: "pen", quantity: 3)))
        #expect(created.status == 201)
        #expect(created.text == #"{"name":"pen","quantity":3}"# + "\n")

        let wrongType = try client.post("/items", body: .text("name=pen"))
        #expect(wrongType.status == 415)
        #expect(wrongType.header("Content-Type") == "application/json")
        #expect(wrongType.text == #"{"error":"send the body as application/json, not text/plain; charset=utf-8"}"# + "\n")

        let malformed = try client.post("/items", body: .bytes(Array(#"{"name": 1}"#.utf8), contentType: "application/json"))
        #expect(malformed.status == 400)
        #expect(malformed.text == #"{"error":"malformed JSON body: field 'name' must be a string"}"# + "\n")

        let big = try client.post("/items", body: .bytes(Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1),
                                                         contentType: "application/json"))
        #expect(big.status == 413)
        #expect(big.text == #"{"error":"body too large: at most 1048576 bytes"}"# + "\n")

        let caught = stack(catchErrors(), app: { environ, startResponse in
            try startResponse.json(try environ.decodeJSON(ItemInput.self))
        })
        let page = try TestClient(caught).post("/", body: .text("{}"))
        #expect(page.status == 415)
        #expect(page.text.contains("send the body as application/json"))
    }
}
