import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// ``echoApp`` as an async application: the body read with `await`, chunk
/// by chunk, and the sizes of the chunks it arrived in reported.
let asyncEchoApp: AsyncApplication = { environ, startResponse in
    var object: [String: String] = environ.variables.dictionary
    object["wsgi.url_scheme"] = environ.urlScheme
    var body: [UInt8] = []
    var pieces: [String] = []
    for try await chunk in environ.input.chunks {
        body += chunk
        pieces.append(String(chunk.count))
    }
    object["body"] = String(decoding: body, as: UTF8.self)
    object["pieces"] = pieces.joined(separator: ",")
    let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try startResponse("200 OK", [("Content-Type", "application/json")])
    return [Array(bytes)]
}

/// Which kind a test drives: the same requests against ``echoApp`` and ``asyncEchoApp``.
enum EchoKind: String, CaseIterable, Sendable {
    case sync, async

    var client: TestClient {
        switch self {
        case .sync: return TestClient(echoApp)
        case .async: return TestClient(asyncEchoApp)
        }
    }
}

@Suite("TestClient with async applications")
struct AsyncTestClientTests {
    func environ(_ response: TestResponse) throws -> [String: String] {
        try #require(try response.json() as? [String: String])
    }

    @Test(arguments: EchoKind.allCases)
    func buildsTheSameEnvironForEitherKind(kind: EchoKind) async throws {
        let client = kind.client
        let seen = try environ(await client.get("/a%20b/c?x=1&y=2", headers: [("X-Trace", "1")]))
        #expect(seen["REQUEST_METHOD"] == "GET")
        #expect(seen["SCRIPT_NAME"] == "")
        #expect(seen["PATH_INFO"] == "/a b/c")
        #expect(seen["QUERY_STRING"] == "x=1&y=2")
        #expect(seen["SERVER_NAME"] == "localhost")
        #expect(seen["REMOTE_ADDR"] == "127.0.0.1")
        #expect(seen["HTTP_X_TRACE"] == "1")
        #expect(seen["CONTENT_LENGTH"] == nil)

        struct Item: Codable { let name: String; let count: Int }
        let json = try environ(await client.post("/items", body: .json(Item(name: "lamp", count: 2))))
        #expect(json["CONTENT_TYPE"] == "application/json")
        #expect(json["body"] == #"{"count":2,"name":"lamp"}"#)
        #expect(json["CONTENT_LENGTH"] == String(json["body"]!.utf8.count))
        let auth = try environ(await client.put("/private", body: .text("x"), auth: ("ada", "secret")))
        #expect(auth["REQUEST_METHOD"] == "PUT")
        #expect(auth["HTTP_AUTHORIZATION"] == "Basic YWRhOnNlY3JldA==")
        #expect(try environ(await client.delete("/items/3"))["REQUEST_METHOD"] == "DELETE")
    }

    @Test func anAsyncApplicationReadsTheBodyInPieces() async throws {
        let client = TestClient(asyncEchoApp)
        let given = try environ(await client.post("/", body: .chunks([Array("abc".utf8), Array("de".utf8), Array("f".utf8)])))
        #expect(given["body"] == "abcdef")
        #expect(given["pieces"] == "3,2,1")
        #expect(given["CONTENT_LENGTH"] == "6")

        client.requestChunkSize = 4
        let cut = try environ(await client.post("/", body: .text("0123456789")))
        #expect(cut["body"] == "0123456789")
        #expect(cut["pieces"] == "4,4,2")

        #expect(try environ(await client.get("/"))["pieces"] == "")
    }

    @Test func aSyncApplicationGetsTheChunksJoined() throws {
        let response = try TestClient(echoApp).post("/", body: .chunks([Array("abc".utf8), Array("de".utf8)]))
        #expect(try environ(response)["body"] == "abcde")
    }

    @Test func theBodyIsPacedByTheApplicationsReads() async throws {
        // The client hands out the next piece only once the application took the last.
        let arrivals = Locked<[Int]>([])
        let app: AsyncApplication = { environ, startResponse in
            var total = 0
            for try await chunk in environ.input.chunks {
                total += chunk.count
                arrivals.withLock { $0.append(total) }
                try await Task.sleep(for: .milliseconds(1))
            }
            try startResponse("204 No Content", [])
            return [String]()
        }
        let client = TestClient(app)
        client.requestChunkSize = 10
        let response = try await client.post("/", body: .bytes([UInt8](repeating: 0, count: 35)))
        #expect(response.status == 204)
        #expect(arrivals.withLock { $0 } == [10, 20, 30, 35])
    }

    @Test func streamedResponsesAreChunkedAndClosedOnce() async throws {
        let closes = Counter()
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            var left = 3
            return AsyncBody(next: {
                try await Task.sleep(for: .milliseconds(1))
                guard left > 0 else { return nil }
                left -= 1
                return Array("tick\n".utf8)
            }, onClose: closes.increment)
        }
        let client = TestClient(app)
        let response = try await client.get("/")
        #expect(response.text == "tick\ntick\ntick\n")
        #expect(response.wasChunked)
        #expect(response.chunkSizes == [5, 5, 5])
        #expect(closes.value == 1)
        let head = try await client.head("/")
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == nil)
        #expect(closes.value == 2)
    }

    @Test func theServersResponseRulesApply() async throws {
        let app: AsyncApplication = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["hello ", "world"]
        }
        let client = TestClient(app)
        let get = try await client.get("/")
        #expect(get.header("Content-Length") == "11")
        #expect(get.header("Server") != nil && get.header("Date") != nil)
        #expect(get.text == "hello world")
        let head = try await client.head("/")
        #expect(head.header("Content-Length") == "11")
        #expect(head.body.isEmpty)
    }

    @Test func applicationErrorsSurfaceToTheTestByDefault() async throws {
        let closes = Counter()
        let app: AsyncApplication = { environ, startResponse in
            let path = environ["PATH_INFO"] ?? ""
            guard path == "/late" else { throw AppFailure(marker: path) }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            var sent = false
            return AsyncBody(next: {
                if sent { throw AppFailure(marker: "late") }
                sent = true
                return Array("partial".utf8)
            }, onClose: closes.increment)
        }
        await #expect(throws: AppFailure(marker: "/boom")) { try await TestClient(app).get("/boom") }
        await #expect(throws: AppFailure(marker: "late")) { try await TestClient(app).get("/late") }
        #expect(closes.value == 1)

        let lenient = TestClient(app, raiseServerExceptions: false)
        let response = try await lenient.get("/boom")
        #expect(response.status == 500)
        #expect(lenient.errors.text.contains("AppFailure"))
        let cut = try await lenient.get("/late")
        #expect(cut.text == "partial")
        #expect(closes.value == 2)
    }

    @Test func cookiesAndRedirectsWorkAwaitedToo() async throws {
        let app: AsyncApplication = { environ, startResponse in
            await Task.yield()
            switch environ["PATH_INFO"] ?? "" {
            case "/login":
                try startResponse("303 See Other", [("Location", "/me"), ("Set-Cookie", "session=s1; Path=/")])
                return [String]()
            default:
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return ["\(environ["REQUEST_METHOD"] ?? "") \(environ["HTTP_COOKIE"] ?? "-")"]
            }
        }
        let client = TestClient(app)
        let followed = try await client.post("/login", body: .form([("user", "ada")]), followRedirects: true)
        #expect(followed.text == "GET session=s1")
        #expect(followed.history.map(\.status) == [303])
        #expect(client.cookies["session"] == "s1")
    }

    @Test func aSynchronousRequestToAnAsyncApplicationSaysToAwait() throws {
        #expect(throws: TestClientUsageError.asyncApplication) { try TestClient(asyncEchoApp).get("/") }
    }

    @Test func anyApplicationIsServedByTheKindItChooses() async throws {
        let client = TestClient(AnyApplication.choosing { environ in
            (environ["PATH_INFO"] ?? "").hasPrefix("/api/") ? .async(asyncEchoApp) : .sync(echoApp)
        })
        client.requestChunkSize = 2
        let api = try environ(await client.post("/api/x", body: .text("abcd")))
        #expect(api["pieces"] == "2,2")
        let site = try environ(await client.post("/site", body: .text("abcd")))
        #expect(site["body"] == "abcd")
        #expect(site["pieces"] == nil)
    }
}
