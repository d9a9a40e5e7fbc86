import Foundation
import Gateway
import GatewayHTTP

/// Calls an application in-process, with no socket: builds the PEP 3333
/// environ a server would (the same CGI variables, `REMOTE_ADDR` 127.0.0.1,
/// `SERVER_NAME` localhost), runs the application through the servers' own
/// `Handler` (so `Content-Length`, HEAD and every response rule apply as on
/// the wire), keeps cookies, and follows redirects when asked.
///
/// ```swift
/// @Test func login() throws {
///     let client = TestClient(myApp)
///     let response = try client.post("/login", body: .form([("user", "ada"), ("password", "s3cret")]),
///                                    followRedirects: true)
///     #expect(response.status == 200)
///     #expect(response.history.map(\.status) == [303])
///     #expect(client.cookies["session"] != nil)
///     let me = try client.get("/api/me").json() as? [String: Any]
///     #expect(me?["user"] as? String == "ada")
/// }
/// ```
///
/// An error the application throws is rethrown to the test (set
/// ``raiseServerExceptions`` to false to get the 500 a client would see);
/// what the application writes to `wsgi.errors` is in ``errors``.
public final class TestClient {
    /// The application every request is run through: synchronous, async,
    /// or a choice between them made for each request (as a server makes it,
    /// from the request's head).
    public let app: AnyApplication
    /// Variables every request's environ starts from (after the defaults):
    /// e.g. `["SERVER_NAME": "example.com", "REMOTE_ADDR": "10.0.0.5"]`.
    public var environ: [String: String]
    /// Headers sent with every request (a request's own headers come after).
    public var headers: [(String, String)] = []
    /// Rethrow application errors instead of answering 500.
    public var raiseServerExceptions: Bool
    /// Follow redirects unless a request says otherwise.
    public var followRedirects = false
    /// Redirects followed at most, per request.
    public var maxRedirects = 20
    /// The cookie jar, shared by every request of this client.
    public let cookies = CookieJar()
    /// `wsgi.errors` of every request.
    public let errors = CapturedErrors()

    /// A client for `app`. `environ` overrides the defaults (`SERVER_NAME`
    /// localhost, `SERVER_PORT` 80, `REMOTE_ADDR` 127.0.0.1, ...).
    public convenience init(_ app: @escaping Application, environ: [String: String] = [:], raiseServerExceptions: Bool = true) {
        self.init(AnyApplication.sync(app), environ: environ, raiseServerExceptions: raiseServerExceptions)
    }

    /// A client for an async application: requests are made with `await`
    /// (`get`, `post` and the others, awaited), run through the servers' `Handler` as the libevent
    /// server runs them, the request body streamed in pieces of
    /// ``requestChunkSize`` bytes.
    ///
    /// ```swift
    /// @Test func upload() async throws {
    ///     let client = TestClient(uploadApp)            // an AsyncApplication
    ///     let response = try await client.post("/upload", body: .bytes(Array(repeating: 7, count: 100_000)))
    ///     #expect(response.status == 200)
    /// }
    /// ```
    public convenience init(_ app: @escaping AsyncApplication, environ: [String: String] = [:], raiseServerExceptions: Bool = true) {
        self.init(AnyApplication.async(app), environ: environ, raiseServerExceptions: raiseServerExceptions)
    }

    /// A client for an application of either kind (`AnyApplication`):
    /// each request is served by the application chosen for it, a sync one
    /// given its body whole, an async one streamed its body. Requests that
    /// may reach an async application are made with `await`.
    ///
    /// ```swift
    /// let client = TestClient(.choosing { environ in
    ///     (environ["PATH_INFO"] ?? "").hasPrefix("/api/") ? .async(api) : .sync(site)
    /// })
    /// let items = try await client.get("/api/items")
    /// ```
    public init(_ app: AnyApplication, environ: [String: String] = [:], raiseServerExceptions: Bool = true) {
        self.app = app
        self.environ = environ
        self.raiseServerExceptions = raiseServerExceptions
    }

    /// The size of the pieces an async application's request body arrives
    /// in (`environ.input.chunks` yields one piece at a time, each only once
    /// the application took the one before, as a server paces a body).
    public var requestChunkSize = 16 * 1024

    // MARK: - Requests

    /// GET `target` (a path with an optional query, or an absolute `http(s)://` URL).
    @discardableResult
    public func get(_ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                    auth: (user: String, password: String)? = nil, followRedirects: Bool? = nil) throws -> TestResponse {
        try request("GET", target, query: query, headers: headers, auth: auth, followRedirects: followRedirects)
    }

    /// HEAD `target`.
    @discardableResult
    public func head(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("HEAD", target, headers: headers)
    }

    /// POST `body` to `target`.
    @discardableResult
    public func post(_ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                     body: TestRequestBody = .empty, auth: (user: String, password: String)? = nil,
                     followRedirects: Bool? = nil) throws -> TestResponse {
        try request("POST", target, query: query, headers: headers, body: body, auth: auth, followRedirects: followRedirects)
    }

    /// PUT `body` to `target`.
    @discardableResult
    public func put(_ target: String, headers: [(String, String)] = [], body: TestRequestBody = .empty,
                    auth: (user: String, password: String)? = nil) throws -> TestResponse {
        try request("PUT", target, headers: headers, body: body, auth: auth)
    }

    /// DELETE `target`.
    @discardableResult
    public func delete(_ target: String, headers: [(String, String)] = [],
                       auth: (user: String, password: String)? = nil) throws -> TestResponse {
        try request("DELETE", target, headers: headers, auth: auth)
    }

    /// Sends one request (and, with `followRedirects`, the requests its
    /// redirects lead to); the final response carries the others in `history`.
    /// Throws ``TestClientUsageError/asyncApplication`` when the request
    /// reaches an async application: await the async form instead.
    @discardableResult
    public func request(
        _ method: String, _ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: TestRequestBody = .empty, auth: (user: String, password: String)? = nil,
        environ overrides: [String: String] = [:], followRedirects: Bool? = nil
    ) throws -> TestResponse {
        var walk = try RedirectWalk(client: self, method: method, target: target, query: query, headers: headers,
                                    body: body, auth: auth, followRedirects: followRedirects)
        while true {
            let response = try sendSynchronously(walk.method, walk.location, headers: walk.headers, body: walk.payload, overrides: overrides)
            if let final = try walk.next(after: response) { return final }
        }
    }

    // MARK: - One exchange

    /// What one request and the redirects it leads to share.
    private struct RedirectWalk {
        let follow: Bool
        let maxRedirects: Int
        var method: String
        var location: TestURL
        var payload: (bytes: [[UInt8]], contentType: String?)
        var headers: [(String, String)]
        var history: [TestResponse] = []
        var seen: Set<String> = []

        init(client: TestClient, method: String, target: String, query: [(String, String)], headers: [(String, String)],
             body: TestRequestBody, auth: (user: String, password: String)?, followRedirects: Bool?) throws {
            var location = try TestURL(target, relativeTo: client.baseURL)
            if !query.isEmpty {
                let encoded = query.map { "\(TestRequestBody.formEncode($0.0))=\(TestRequestBody.formEncode($0.1))" }.joined(separator: "&")
                location.query = location.query.isEmpty ? encoded : location.query + "&" + encoded
            }
            var extra = headers
            if let auth {
                let token = Data("\(auth.user):\(auth.password)".utf8).base64EncodedString()
                extra.append(("Authorization", "Basic \(token)"))
            }
            self.follow = followRedirects ?? client.followRedirects
            self.maxRedirects = client.maxRedirects
            self.method = method
            self.location = location
            self.payload = try body.encodedPieces()
            self.headers = extra
        }

        /// The final response (its history attached), or nil when a
        /// redirect is to be followed: `method`, `location`... are the next request's.
        mutating func next(after response: TestResponse) throws -> TestResponse? {
            var response = response
            guard follow, [301, 302, 303, 307, 308].contains(response.status),
                  let next = response.header("Location")
            else {
                response.history = history
                return response
            }
            seen.insert("\(method) \(location)")
            history.append(response)
            location = try TestURL(next, relativeTo: location)
            if response.status == 303 || ([301, 302].contains(response.status) && method == "POST") {
                // The browser rule: the next request is a GET without the body.
                if method != "HEAD" { method = "GET" }
                payload = ([], nil)
                headers.removeAll { ["content-type", "content-length"].contains($0.0.lowercased()) }
            }
            guard !seen.contains("\(method) \(location)") else {
                throw TestClientRedirectError.loop(history.map { $0.header("Location") ?? "?" })
            }
            guard history.count < maxRedirects else { throw TestClientRedirectError.tooMany(maxRedirects) }
            return nil
        }
    }

    // MARK: - One exchange

    /// Where relative targets point: the environ's host and port.
    private var baseURL: TestURL {
        let name = environ["SERVER_NAME"] ?? "localhost"
        let port = environ["SERVER_PORT"].flatMap(Int.init) ?? 80
        return TestURL(scheme: environ["wsgi.url_scheme"] ?? "http", host: name, port: port, path: "/", query: "")
    }

    /// The environ a server would build for the request (its input not set yet).
    private func makeEnviron(_ method: String, _ url: TestURL, headers extra: [(String, String)],
                             body: (bytes: [[UInt8]], contentType: String?), overrides: [String: String]) -> Environ {
        var cgi = CGIVariables(method: method, target: url.target, protocolName: "HTTP/1.1",
                               server: (url.host, String(url.port)), peer: ("127.0.0.1", 50000))
        var requestHeaders: [(String, String)] = [("Host", url.hostHeader), ("User-Agent", "EventGateway-TestClient")]
        if let contentType = body.contentType { requestHeaders.append(("Content-Type", contentType)) }
        let length = body.bytes.reduce(0) { $0 + $1.count }
        if length > 0 || ["POST", "PUT", "PATCH"].contains(method) {
            requestHeaders.append(("Content-Length", String(length)))
        }
        if let cookie = cookies.header(host: url.host, path: url.path, secure: url.scheme == "https") {
            requestHeaders.append(("Cookie", cookie))
        }
        requestHeaders += headers + extra
        // A header given again replaces the default (Host, User-Agent, ...).
        var named: [String: Int] = [:]
        var merged: [(String, String)] = []
        for (name, value) in requestHeaders {
            if let index = named[name.lowercased()] { merged[index] = (name, value); continue }
            named[name.lowercased()] = merged.count
            merged.append((name, value))
        }
        for (name, value) in merged { cgi.addHeader(name: name, value: value) }

        var variables = cgi.variables
        for (key, value) in environ.merging(overrides, uniquingKeysWith: { $1 }) where key != "wsgi.url_scheme" {
            variables[key] = value
        }
        return Environ(variables: variables, input: RequestInput(), errors: errors, urlScheme: url.scheme)
    }

    private func sendSynchronously(_ method: String, _ url: TestURL, headers extra: [(String, String)],
                                   body: (bytes: [[UInt8]], contentType: String?), overrides: [String: String]) throws -> TestResponse {
        var request = makeEnviron(method, url, headers: extra, body: body, overrides: overrides)
        guard case .sync(let app) = self.app.resolved(for: request) else { throw TestClientUsageError.asyncApplication }
        request.input = RequestInput(body.bytes.flatMap { $0 })

        // The application's own error, to rethrow instead of the 500.
        let thrown = Locked<(any Error)?>(nil)
        let watched: Application = { environ, startResponse in
            do {
                return try app(environ, startResponse)
            } catch {
                thrown.withLock { $0 = error }
                throw error
            }
        }
        let logged = errors.text.utf8.count
        let transport = CollectingTransport()
        let handler = Handler(environ: request, serverSoftware: "EventGateway-TestClient")
        do {
            try handler.run(watched, on: transport)
        } catch {
            if raiseServerExceptions { throw error }  // the body failed after the head
        }
        return try received(transport, thrown: thrown.withLock { $0 }, logged: logged, url: url)
    }

    /// The response a transport collected; the application's error rethrown
    /// when the client raises them.
    private func received(_ transport: CollectingTransport, thrown: (any Error)?, logged: Int, url: TestURL) throws -> TestResponse {
        if raiseServerExceptions, let error = thrown { throw error }
        let log = String(decoding: errors.text.utf8.dropFirst(logged), as: UTF8.self)
        if raiseServerExceptions, transport.head?.status.code == 500, log.contains("error in application") {
            throw TestClientApplicationError(log: log)
        }
        guard let head = transport.head else { throw TestClientApplicationError(log: errors.text) }
        let response = TestResponse(
            version: "HTTP/1.1", status: head.status.code, reason: head.status.reason, headers: head.headers,
            body: transport.body, wasChunked: head.framing == .chunked, chunkSizes: transport.chunkSizes)
        for value in response.headerValues("Set-Cookie") {
            cookies.store(setCookie: value, host: url.host, path: url.path)
        }
        return response
    }
}

// MARK: - Async applications

extension TestClient {
    /// GET `target`, awaited: the form for async applications (a sync one is served too).
    ///
    /// ```swift
    /// let response = try await TestClient(asyncApp).get("/items?page=2")
    /// ```
    @discardableResult
    public func get(_ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                    auth: (user: String, password: String)? = nil, followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request("GET", target, query: query, headers: headers, auth: auth, followRedirects: followRedirects)
    }

    /// HEAD `target`, awaited.
    ///
    /// ```swift
    /// let response = try await client.head("/report.pdf")
    /// ```
    @discardableResult
    public func head(_ target: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await request("HEAD", target, headers: headers)
    }

    /// POST `body` to `target`, awaited; an async application reads the body in pieces.
    ///
    /// ```swift
    /// let response = try await client.post("/upload", body: .chunks([Array("ab".utf8), Array("cd".utf8)]))
    /// ```
    @discardableResult
    public func post(_ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                     body: TestRequestBody = .empty, auth: (user: String, password: String)? = nil,
                     followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request("POST", target, query: query, headers: headers, body: body, auth: auth, followRedirects: followRedirects)
    }

    /// PUT `body` to `target`, awaited.
    ///
    /// ```swift
    /// try await client.put("/items/3", body: .json(["name": "lamp"]))
    /// ```
    @discardableResult
    public func put(_ target: String, headers: [(String, String)] = [], body: TestRequestBody = .empty,
                    auth: (user: String, password: String)? = nil) async throws -> TestResponse {
        try await request("PUT", target, headers: headers, body: body, auth: auth)
    }

    /// DELETE `target`, awaited.
    ///
    /// ```swift
    /// try await client.delete("/items/3")
    /// ```
    @discardableResult
    public func delete(_ target: String, headers: [(String, String)] = [],
                       auth: (user: String, password: String)? = nil) async throws -> TestResponse {
        try await request("DELETE", target, headers: headers, auth: auth)
    }

    /// Sends one request, awaited, following redirects as the synchronous
    /// form does. A request an async application serves runs as on the
    /// libevent server: the handler awaits the application and each chunk
    /// of its body, and the request body arrives in pieces.
    ///
    /// ```swift
    /// let response = try await client.request("PATCH", "/items/3", body: .json(["done": true]))
    /// ```
    @discardableResult
    public func request(
        _ method: String, _ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: TestRequestBody = .empty, auth: (user: String, password: String)? = nil,
        environ overrides: [String: String] = [:], followRedirects: Bool? = nil
    ) async throws -> TestResponse {
        var walk = try RedirectWalk(client: self, method: method, target: target, query: query, headers: headers,
                                    body: body, auth: auth, followRedirects: followRedirects)
        while true {
            let response = try await send(walk.method, walk.location, headers: walk.headers, body: walk.payload, overrides: overrides)
            if let final = try walk.next(after: response) { return final }
        }
    }

    private func send(_ method: String, _ url: TestURL, headers extra: [(String, String)],
                      body: (bytes: [[UInt8]], contentType: String?), overrides: [String: String]) async throws -> TestResponse {
        var request = makeEnviron(method, url, headers: extra, body: body, overrides: overrides)
        guard case .async(let app) = self.app.resolved(for: request) else {
            return try sendSynchronously(method, url, headers: extra, body: body, overrides: overrides)
        }
        request.input = RequestInput(stream: BodyFeeder.stream(of: body.bytes, pieceSize: requestChunkSize))

        let thrown = Locked<(any Error)?>(nil)
        let watched: AsyncApplication = { environ, startResponse in
            do {
                return try await app(environ, startResponse)
            } catch {
                thrown.withLock { $0 = error }
                throw error
            }
        }
        let logged = errors.text.utf8.count
        let transport = CollectingTransport()
        let handler = Handler(environ: request, serverSoftware: "EventGateway-TestClient")
        let head = await handler.start(watched)
        try transport.sendHead(head)
        do {
            while let chunk = try await handler.nextChunk() { try transport.sendChunk(chunk) }
            handler.finish()
        } catch {
            transport.abort()
            handler.finish()
            if raiseServerExceptions { throw error }  // the body failed after the head
        }
        return try received(transport, thrown: thrown.withLock { $0 }, logged: logged, url: url)
    }
}

/// Feeds a request body to a ``RequestBodyStream`` one piece at a time, each
/// once the application took the one before (its demand): so
/// `environ.input.chunks` yields the pieces as they were cut.
private final class BodyFeeder: @unchecked Sendable {
    // @unchecked: `next` is advanced only from the stream's demand, which
    // the application's reads call one at a time.
    private let pieces: [[UInt8]]
    private var next = 0

    private init(pieces: [[UInt8]]) { self.pieces = pieces }

    static func stream(of body: [[UInt8]], pieceSize: Int) -> RequestBodyStream {
        let size = max(pieceSize, 1)
        var pieces: [[UInt8]] = []
        for part in body {
            var start = 0
            while start < part.count {
                pieces.append(Array(part[start..<min(start + size, part.count)]))
                start += size
            }
        }
        let feeder = BodyFeeder(pieces: pieces)
        // Room for one byte: every push overfills it, so the stream waits
        // for the application to take each piece before it asks for the
        // next (and two pieces never merge into one chunk).
        return RequestBodyStream(capacity: 1) { stream in feeder.feed(stream) }
    }

    private func feed(_ stream: RequestBodyStream) {
        while next < pieces.count {
            pieces[next].withUnsafeBytes { stream.push($0) }
            next += 1
            if stream.pause() { return }
        }
        stream.finish()
    }
}

/// A ``TestClient`` call that cannot work as made.
public enum TestClientUsageError: Error, Equatable, CustomStringConvertible {
    /// A synchronous request (`try client.get(...)`) reached an async
    /// application: make it with `try await client.get(...)`.
    case asyncApplication

    /// The mistake in words, for a test's failure message.
    public var description: String {
        switch self {
        case .asyncApplication: return "the request reaches an async application: make it with `try await client.get(...)`"
        }
    }
}

/// Collects what a ``Handler`` would write to a socket.
private final class CollectingTransport: ResponseTransport {
    var head: ResponseHead?
    var body: [UInt8] = []
    var chunkSizes: [Int] = []
    var aborted = false

    func sendHead(_ head: ResponseHead) throws { self.head = head }
    func sendChunk(_ chunk: [UInt8]) throws {
        body += chunk
        chunkSizes.append(chunk.count)
    }
    func finish() throws {}
    func abort() { aborted = true }
}

/// Redirects that never end.
public enum TestClientRedirectError: Error, Equatable, CustomStringConvertible {
    /// A redirect led back to a request already made; the locations followed.
    case loop([String])
    /// More redirects than ``TestClient/maxRedirects``.
    case tooMany(Int)

    /// The redirects in words, for a test's failure message.
    public var description: String {
        switch self {
        case .loop(let locations): return "redirect loop: \(locations.joined(separator: " -> "))"
        case .tooMany(let count): return "more than \(count) redirects"
        }
    }
}

/// The application failed in a way the handler turned into a 500 (for
/// example while its body was read before the headers); `log` says how.
public struct TestClientApplicationError: Error, CustomStringConvertible {
    /// What the handler logged to `wsgi.errors` for the failed request.
    public let log: String
    /// The failure in words, for a test's failure message.
    public var description: String { "application error: \(log)" }
}
