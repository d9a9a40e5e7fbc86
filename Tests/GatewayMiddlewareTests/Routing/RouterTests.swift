import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("Router")
struct RouterTests {
    /// Answers `name|SCRIPT_NAME|PATH_INFO|parameters` in text.
    static func named(_ name: String) -> Application {
        return { environ, startResponse in
            let parameters = environ.pathParameters.items.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            try startResponse(.ok, [("Content-Type", "text/plain")])
            return ["\(name)|\(environ["SCRIPT_NAME"] ?? "nil")|\(environ["PATH_INFO"] ?? "nil")|\(parameters)"]
        }
    }

    static var items: Router {
        var router = Router()
        router.get("/", named("root"))
        router.get("/items", named("list"))
        router.post("/items", named("create"))
        router.get("/items/:id", named("show"))
        router.put("/items/:id", named("replace"))
        router.delete("/items/:id", named("remove"))
        router.get("/items/new", named("form"))
        router.get("/items/:id/parts/:part", named("part"))
        return router
    }

    @Test func methodsAndPathsPickTheRouteAndItsParameters() throws {
        let client = TestClient(Self.items.application)
        let cases: [(String, String, String)] = [
            ("GET", "/", "root||/|"),
            ("GET", "/items", "list||/items|"),
            ("POST", "/items", "create||/items|"),
            ("GET", "/items/3", "show||/items/3|id=3"),
            ("PUT", "/items/3", "replace||/items/3|id=3"),
            ("DELETE", "/items/3", "remove||/items/3|id=3"),
            ("GET", "/items/a%20b", "show||/items/a b|id=a b"),  // PATH_INFO is decoded, and so are parameters
            ("GET", "/items/new", "form||/items/new|"),           // a literal beats a parameter, whatever the order
            ("DELETE", "/items/new", "remove||/items/new|id=new"), // ... unless it does not take the method
            ("GET", "/items/3/parts/7", "part||/items/3/parts/7|id=3,part=7"),
        ]
        for (method, target, expected) in cases {
            let response = try client.request(method, target)
            #expect(response.status == 200, "\(method) \(target)")
            #expect(response.text == expected, "\(method) \(target)")
        }
    }

    @Test func aPathWithoutTheMethodIs405WithAllow() throws {
        let client = TestClient(Self.items.application)
        let response = try client.request("PATCH", "/items/3")
        #expect(response.status == 405)
        #expect(response.header("Allow") == "DELETE, GET, HEAD, PUT")
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.text == "method not allowed\n")
        #expect(try client.request("DELETE", "/items").header("Allow") == "GET, HEAD, POST")
        // Methods are case-sensitive (RFC 9110 §9.1).
        #expect(try client.request("get", "/items").status == 405)
    }

    @Test func noMatchingPathIs404() throws {
        let client = TestClient(Self.items.application)
        for target in ["/nothing", "/items/", "/items/3/parts", "/items//", "/items/3/parts/7/x"] {
            let response = try client.get(target)
            #expect(response.status == 404, "\(target)")
            #expect(response.text == "not found\n", "\(target)")
            #expect(response.header("Content-Length") == "10", "\(target)")
        }
    }

    @Test func headIsAnsweredByTheGetRouteWithoutABody() throws {
        let client = TestClient(Self.items.application)
        let get = try client.get("/items/3")
        let head = try client.head("/items/3")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == get.header("Content-Length"))
        #expect(head.header("Content-Type") == "text/plain")
        // The application saw HEAD, as PEP 3333 wants.
        var router = Router()
        router.get("/m") { environ, startResponse in
            try startResponse(.ok, [])
            return [environ["REQUEST_METHOD"] ?? ""]
        }
        #expect(try TestClient(router.application).head("/m").header("Content-Length") == "4")
    }

    @Test func anExplicitHeadRouteWinsOverGet() throws {
        var router = Router()
        router.get("/x", Self.named("get"))
        router.route(["HEAD"], "/x") { _, startResponse in
            try startResponse(.noContent, [("X-Head", "1")])
            return [String]()
        }
        let response = try TestClient(router.application).head("/x")
        #expect(response.status == 204)
        #expect(response.header("X-Head") == "1")
    }

    @Test func emptyPathInfoIsTheRoot() throws {
        let client = TestClient(Self.items.application, environ: [:])
        let response = try client.request("GET", "/", environ: ["PATH_INFO": ""])
        #expect(response.text == "root|||")
    }

    @Test func mountsShiftThePrefixAndAddTheirParameters() throws {
        var users = Router()
        users.get("/items/:id", Self.named("user-item"))
        var router = Self.items
        router.mount("/static", Self.named("static"))
        router.mount("/users/:user", users.application)
        router.mount("/static/deep", Self.named("deep"))
        let client = TestClient(router.application)
        let cases: [(String, Int, String?)] = [
            ("/static", 200, "static|/static||"),
            ("/static/", 200, "static|/static|/|"),
            ("/static/a%20b.css", 200, "static|/static|/a b.css|"),
            ("/static/deep/x", 200, "deep|/static/deep|/x|"),            // the longest prefix wins
            ("/staticx", 404, nil),                                     // whole segments only
            ("/users/ada/items/7", 200, "user-item|/users/ada|/items/7|user=ada,id=7"),
            ("/users/ada/other", 404, nil),                             // the inner router's 404
            ("/items/3", 200, "show||/items/3|id=3"),                   // routes before mounts
        ]
        for (target, status, body) in cases {
            let response = try client.get(target)
            #expect(response.status == status, "\(target)")
            if let body { #expect(response.text == body, "\(target)") }
        }
    }

    @Test func aRootMountTakesWhatNoRouteMatches() throws {
        var router = Router()
        router.get("/api", Self.named("api"))
        router.mount("/", Self.named("fallback"))
        let client = TestClient(router.application)
        #expect(try client.get("/api").text == "api||/api|")
        #expect(try client.get("/anything/else").text == "fallback||/anything/else|")
        #expect(try client.request("POST", "/x").text == "fallback||/x|")
        // A route that matches the path but not the method still answers 405.
        #expect(try client.request("POST", "/api").status == 405)
    }

    @Test func routesWorkMountedByURLMap() throws {
        let app = urlMap(["/api/v1": Self.items.application])
        let client = TestClient(app)
        #expect(try client.get("/api/v1/items/9").text == "show|/api/v1|/items/9|id=9")
        #expect(try client.get("/api/v1").text == "root|/api/v1||")
        #expect(try client.get("/api/v1/").text == "root|/api/v1|/|")
        #expect(try client.request("PATCH", "/api/v1/items").status == 405)
    }

    struct Teapot: HTTPError {
        var status: Int { 418 }
        var message: String { "short and stout" }
    }

    @Test func anHTTPErrorFromARouteIsAnsweredInTheRoutersWords() throws {
        for (errors, type, body) in [(ErrorResponder.plainText, "text/plain; charset=utf-8", "short and stout\n"),
                                     (ErrorResponder.json, "application/json", #"{"error":"short and stout"}"# + "\n")] {
            var router = Router(errors: errors)
            router.get("/tea") { _, startResponse in
                try startResponse(.ok, [("X-Started", "yes")])  // replaced: nothing was sent yet
                throw Teapot()
            }
            let response = try TestClient(router.application).get("/tea")
            #expect(response.status == 418)
            #expect(response.reason == "I'm a Teapot")
            #expect(response.header("Content-Type") == type)
            #expect(response.header("X-Started") == nil)
            #expect(response.text == body)
            #expect(response.header("Content-Length") == String(body.utf8.count))
        }
    }

    @Test func theJSONResponderWordsTheRoutersOwnAnswers() throws {
        var router = Router(errors: .json)
        router.get("/items", Self.named("list"))
        let client = TestClient(router.application)
        let missing = try client.get("/nothing")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/json")
        #expect(missing.text == #"{"error":"not found"}"# + "\n")
        let wrong = try client.request("DELETE", "/items")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        #expect(wrong.text == #"{"error":"method not allowed"}"# + "\n")
    }

    @Test func otherErrorsGoOnToTheServer() throws {
        struct Bug: Error {}
        var router = Router()
        router.get("/bug") { _, _ in throw Bug() }
        #expect(throws: Bug.self) { try TestClient(router.application).get("/bug") }
        let response = try TestClient(router.application, raiseServerExceptions: false).get("/bug")
        #expect(response.status == 500)
    }

    @Test func routesAddedLaterAreNotInAnApplicationMadeBefore() throws {
        var router = Router()
        router.get("/a", Self.named("a"))
        let before = router.application
        router.get("/b", Self.named("b"))
        #expect(try TestClient(before).get("/b").status == 404)
        #expect(try TestClient(router.application).get("/b").status == 200)
    }

    /// On the wire, HEAD's response carries no body: the GET that follows on
    /// the same connection reads cleanly, on both servers.
    @Test(arguments: ServerKind.allCases)
    func headAndMethodNotAllowedOnTheWire(kind: ServerKind) throws {
        try withServer(kind, app: Self.items.application) { _, client throws in
            let head = try client.request("HEAD", "/items/3")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "19")
            let get = try client.get("/items/3")
            #expect(get.text == "show||/items/3|id=3")
            let wrong = try client.request("PATCH", "/items/3")
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "DELETE, GET, HEAD, PUT")
        }
    }
}
