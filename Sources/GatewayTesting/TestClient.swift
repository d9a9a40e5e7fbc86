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
    /// The application every request is run through.
    public let app: Application
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
    public init(_ app: @escaping Application, environ: [String: String] = [:], raiseServerExceptions: Bool = true) {
        self.app = app
        self.environ = environ
        self.raiseServerExceptions = raiseServerExceptions
    }

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
    @discardableResult
    public func request(
        _ method: String, _ target: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: TestRequestBody = .empty, auth: (user: String, password: String)? = nil,
        environ overrides: [String: String] = [:], followRedirects: Bool? = nil
    ) throws -> TestResponse {
        var location = try TestURL(target, relativeTo: baseURL)
        if !query.isEmpty {
            let encoded = query.map { "\(TestRequestBody.formEncode($0.0))=\(TestRequestBody.formEncode($0.1))" }.joined(separator: "&")
            location.query = location.query.isEmpty ? encoded : location.query + "&" + encoded
        }
        var method = method
        var payload = try body.encoded()
        var extra = headers
        if let auth {
            let token = Data("\(auth.user):\(auth.password)".utf8).base64EncodedString()
            extra.append(("Authorization", "Basic \(token)"))
        }
        var history: [TestResponse] = []
        var seen: Set<String> = []
        while true {
            var response = try send(method, location, headers: extra, body: payload, overrides: overrides)
            guard followRedirects ?? self.followRedirects, [301, 302, 303, 307, 308].contains(response.status),
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
                extra.removeAll { ["content-type", "content-length"].contains($0.0.lowercased()) }
            }
            guard !seen.contains("\(method) \(location)") else {
                throw TestClientRedirectError.loop(history.map { $0.header("Location") ?? "?" })
            }
            guard history.count < maxRedirects else { throw TestClientRedirectError.tooMany(maxRedirects) }
        }
    }

    // MARK: - One exchange

    /// Where relative targets point: the environ's host and port.
    private var baseURL: TestURL {
        let name = environ["SERVER_NAME"] ?? "localhost"
        let port = environ["SERVER_PORT"].flatMap(Int.init) ?? 80
        return TestURL(scheme: environ["wsgi.url_scheme"] ?? "http", host: name, port: port, path: "/", query: "")
    }

    private func send(_ method: String, _ url: TestURL, headers extra: [(String, String)],
                      body: (bytes: [UInt8], contentType: String?), overrides: [String: String]) throws -> TestResponse {
        var cgi = CGIVariables(method: method, target: url.target, protocolName: "HTTP/1.1",
                               server: (url.host, String(url.port)), peer: ("127.0.0.1", 50000))
        var requestHeaders: [(String, String)] = [("Host", url.hostHeader), ("User-Agent", "EventGateway-TestClient")]
        if let contentType = body.contentType { requestHeaders.append(("Content-Type", contentType)) }
        if !body.bytes.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            requestHeaders.append(("Content-Length", String(body.bytes.count)))
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
        let request = Environ(variables: variables, input: RequestInput(body.bytes), errors: errors,
                              urlScheme: url.scheme)

        // The application's own error, to rethrow instead of the 500.
        let thrown = Locked<(any Error)?>(nil)
        let app = self.app
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
        if raiseServerExceptions, let error = thrown.withLock({ $0 }) { throw error }
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
