import Dispatch
import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

/// Answers which mount it is, with the environ it saw: sync or async.
func namedApp(_ kind: AppKind, _ name: String) -> AnyApplication {
    twinApp(kind) { environ, _, startResponse in
        try startResponse("200 OK", [("Content-Type", "text/plain")])
        let parameters = environ.pathParameters.items.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        return ["\(name)|\(environ["SCRIPT_NAME"] ?? "nil")|\(environ["PATH_INFO"] ?? "nil")|\(parameters)"]
    }
}

/// The synchronous `get`, from async code (where `get` means the awaited one).
func getSynchronously(_ client: TestClient, _ target: String) throws -> TestResponse { try client.get(target) }

@Suite("urlMap and Router with async applications")
struct AsyncRoutingTests {
    @Test(arguments: AppKind.allCases)
    func urlMapOfAnyApplicationsShiftsAsTheSyncOneDoes(kind: AppKind) async throws {
        let other: AppKind = kind == .sync ? .async : .sync
        let app = urlMap(["/api": namedApp(kind, "api"), "/api/v2/": namedApp(other, "v2"), "/static": namedApp(kind, "static")])
        let client = TestClient(app)
        let cases: [(String, Int, String?)] = [
            ("/api/items/3", 200, "api|/api|/items/3|"),
            ("/api", 200, "api|/api||"),
            ("/api/", 200, "api|/api|/|"),
            ("/api/v2/things", 200, "v2|/api/v2|/things|"),
            ("/api/v2", 200, "v2|/api/v2||"),
            ("/api/v20", 200, "api|/api|/v20|"),        // whole segments only
            ("/static/a%20b.css", 200, "static|/static|/a b.css|"),
            ("/apix", 404, nil),
            ("/", 404, nil),
        ]
        for (target, status, body) in cases {
            let response = try await client.get(target)
            #expect(response.status == status, "\(target)")
            if let body { #expect(response.text == body, "\(target)") }
        }
    }

    @Test func aSyncSiteAndAnAsyncAPISideBySide() async throws {
        let seen = Locked<[String]>([])
        let api: AsyncApplication = { environ, startResponse in
            var size = 0
            var pieces = 0
            for try await chunk in environ.input.chunks {
                size += chunk.count
                pieces += 1
            }
            seen.withLock { $0.append("api \(pieces)") }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            let text = Array("read \(size) bytes".utf8)
            return AsyncBody(AsyncStream<[UInt8]> { continuation in
                continuation.yield(text)
                continuation.finish()
            })
        }
        let site: Application = { environ, startResponse in
            seen.withLock { $0.append("site") }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["site \(environ["PATH_INFO"] ?? "")"]
        }
        let app = stack(requestID(), gzip(), app: urlMap(["/api": .async(api), "/": .sync(site)]))
        // The choice is made before the body: the async mount gets a stream.
        guard case .async = app.resolved(for: Environ(variables: ["PATH_INFO": "/api/upload"], input: RequestInput())) else {
            Issue.record("the API is not served as async")
            return
        }
        guard case .sync = app.resolved(for: Environ(variables: ["PATH_INFO": "/about"], input: RequestInput())) else {
            Issue.record("the site is not served as sync")
            return
        }
        let client = TestClient(app)
        client.requestChunkSize = 1000
        let upload = try await client.post("/api/upload", body: .bytes([UInt8](repeating: 1, count: 3500)))
        #expect(upload.text == "read 3500 bytes")
        #expect(upload.header("X-Request-ID") != nil)
        #expect(try await client.get("/about").text == "site /about")
        // The synchronous form reaches the sync site; the API needs await.
        #expect(try getSynchronously(client, "/about").text == "site /about")
        #expect(throws: TestClientUsageError.asyncApplication) { try getSynchronously(client, "/api/x") }
        #expect(seen.withLock { $0 } == ["api 4", "site", "site"])
    }

    static func router(_ kind: AppKind) -> Router {
        var router = Router()
        let other: AppKind = kind == .sync ? .async : .sync
        router.route(["GET"], "/items", namedApp(kind, "list"))
        router.route(["GET"], "/items/new", namedApp(other, "new"))
        router.route(["GET", "PUT"], "/items/:id", namedApp(kind, "item"))
        router.route(["POST"], "/fail", twinApp(kind) { _, _, _ in throw FormError.tooLarge("upload") })
        router.mount("/users/:user", namedApp(kind, "user"))
        return router
    }

    @Test(arguments: AppKind.allCases)
    func routerServesEitherKindWithTheSameAnswers(kind: AppKind) async throws {
        let router = Self.router(kind)
        let client = TestClient(router.anyApplication)
        #expect(try await client.get("/items").text == "list||/items|")
        #expect(try await client.get("/items/new").text == "new||/items/new|")
        #expect(try await client.get("/items/7").text == "item||/items/7|id=7")
        #expect(try await client.put("/items/7").text == "item||/items/7|id=7")
        let head = try await client.head("/items/7")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let wrongMethod = try await client.delete("/items/7")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD, PUT")
        #expect(try await client.get("/nothing").status == 404)
        #expect(try await client.get("/users/ada/photos/1").text == "user|/users/ada|/photos/1|user=ada")
        let refused = try await client.post("/fail")
        #expect(refused.status == 413)
        #expect(refused.text == "too large: upload\n")
        // The whole router under urlMap, the prefix shifted first.
        let mounted = TestClient(urlMap(["/shop": router.anyApplication]))
        #expect(try await mounted.get("/shop/items/9").text == "item|/shop|/items/9|id=9")
    }

    @Test func routerClosuresPickTheirKindByTheirBody() async throws {
        var router = Router()
        router.get("/sync") { _, startResponse in
            try startResponse("200 OK", [])
            return ["sync"]
        }
        router.get("/async") { _, startResponse in
            await Task.yield()
            try startResponse("200 OK", [])
            return ["async"]
        }
        let app = router.anyApplication
        guard case .sync = app.resolved(for: Environ(variables: ["PATH_INFO": "/sync", "REQUEST_METHOD": "GET"], input: RequestInput())),
              case .async = app.resolved(for: Environ(variables: ["PATH_INFO": "/async", "REQUEST_METHOD": "GET"], input: RequestInput()))
        else {
            Issue.record("a route was not served as its kind")
            return
        }
        let client = TestClient(app)
        #expect(try await client.get("/sync").text == "sync")
        #expect(try await client.get("/async").text == "async")
    }

    @Test func blockingApplicationServesAnAsyncAppWhereOnlyASyncOneFits() async throws {
        let closes = Counter()
        let api: AsyncApplication = { environ, startResponse in
            let body = try await environ.input.read()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return streamedBody(.async, [Array("echo ".utf8), body], closes: closes)
        }
        // A synchronous TestClient on a thread for blocking work (never the
        // cooperative pool), blocked while the task runs.
        let response = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try TestClient(blockingApplication(api)).post("/", body: .text("hi")) })
            }
        }
        #expect(response.text == "echo hi")
        #expect(closes.value == 1)
    }
}
