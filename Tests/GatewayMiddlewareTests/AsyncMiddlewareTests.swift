import Foundation
import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

/// Which kind of application a test runs: each test below runs the same
/// requests and assertions against a synchronous application and its async
/// twin, both through `TestClient` (the servers' `Handler`, the async one
/// awaited as the libevent server awaits it).
enum AppKind: String, CaseIterable, Sendable {
    case sync, async
}

/// A body that is streamed (`StreamBody` for a sync application, an
/// `AsyncBody` awaited chunk by chunk for an async one) and counts its `close()`.
func streamedBody(_ kind: AppKind, _ chunks: [[UInt8]], closes: Counter, failAfter: Int? = nil) -> any ResponseBody {
    let iterator = Locked(0)
    let next: @Sendable () throws -> [UInt8]? = {
        try iterator.withLock { index in
            if let failAfter, index == failAfter { throw AppFailure(marker: "body") }
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }
    switch kind {
    case .sync:
        return StreamBody(next: next, onClose: closes.increment)
    case .async:
        return AsyncBody(next: {
            await Task.yield()
            return try next()
        }, onClose: closes.increment)
    }
}

struct AppFailure: Error, Equatable { let marker: String }

/// The same application as either kind: `respond` decides the response;
/// the async form awaits first (so it really suspends), and reads the body with `await`.
func twinApp(_ kind: AppKind, _ respond: @escaping @Sendable (Environ, [UInt8], StartResponse) throws -> any ResponseBody) -> AnyApplication {
    switch kind {
    case .sync:
        return .sync { environ, startResponse in try respond(environ, try environ.input.read(), startResponse) }
    case .async:
        return .async { environ, startResponse in
            await Task.yield()
            var body: [UInt8] = []
            for try await chunk in environ.input.chunks { body += chunk }
            return try respond(environ, body, startResponse)
        }
    }
}

/// A client for `middleware` around the application of `kind`.
func makeClient(_ kind: AppKind, _ middleware: Middleware..., app: AnyApplication, raise: Bool = true) -> TestClient {
    TestClient(stack(middleware, app: app), raiseServerExceptions: raise)
}

@Suite("middleware around sync and async applications")
struct AsyncMiddlewareTests {
    static let page = compressibleText(4000)

    // MARK: gzip

    @Test(arguments: AppKind.allCases)
    func gzipCompressesAStreamedBodyChunkByChunk(kind: AppKind) async throws {
        let closes = Counter()
        let chunks = (0..<4).map { Array("part \($0) ".utf8) + Array(Self.page.utf8) }
        let client = makeClient(kind, gzip(), app: twinApp(kind) { _, _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return streamedBody(kind, chunks, closes: closes)
        })
        let response = try await client.get("/", headers: [("Accept-Encoding", "gzip")])
        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.header("Vary") == "Accept-Encoding")
        #expect(response.header("Content-Length") == nil)
        #expect(response.wasChunked)
        #expect(response.chunkSizes.count >= 4)  // one flushed piece per chunk, then the trailer
        #expect(try gunzip(response.body) == chunks.flatMap { $0 })
        #expect(closes.value == 1)

        let plain = try await client.get("/")
        #expect(plain.header("Content-Encoding") == nil)
        #expect(plain.body == chunks.flatMap { $0 })
        #expect(closes.value == 2)
    }

    @Test(arguments: AppKind.allCases)
    func gzipGivesAnInMemoryBodyItsLength(kind: AppKind) async throws {
        let client = makeClient(kind, gzip(), app: twinApp(kind) { _, _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/html")])
            return [Self.page]
        })
        let response = try await client.get("/", headers: [("Accept-Encoding", "gzip")])
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.header("Content-Length") == String(response.body.count))
        #expect(!response.wasChunked)
        #expect(try gunzip(response.body) == Array(Self.page.utf8))
    }

    @Test(arguments: AppKind.allCases)
    func gzipDecompressesRequestBodies(kind: AppKind) async throws {
        var options = GzipOptions()
        options.decompressRequests = true
        options.maxDecompressedBytes = 10_000
        let client = makeClient(kind, gzip(options), app: twinApp(kind) { environ, body, startResponse in
            try startResponse("200 OK", [("Content-Type", "application/octet-stream"), ("X-Length", environ["CONTENT_LENGTH"] ?? "-")])
            return [body]
        })
        client.requestChunkSize = 100  // the compressed body arrives in pieces
        let text = Array(compressibleText(5000).utf8)
        let sent = try await client.post("/", headers: [("Content-Encoding", "gzip")],
                                         body: .bytes(try gzipped(text), contentType: "text/plain"))
        #expect(sent.status == 200)
        #expect(sent.body == text)
        #expect(sent.header("X-Length") == "5000")

        let bomb = try await client.post("/", headers: [("Content-Encoding", "gzip")],
                                         body: .bytes(try gzipped(Array(compressibleText(20_000).utf8))))
        #expect(bomb.status == 413)
        let corrupt = try await client.post("/", headers: [("Content-Encoding", "gzip")], body: .bytes([1, 2, 3, 4]))
        #expect(corrupt.status == 400)
        let unknown = try await client.post("/", headers: [("Content-Encoding", "br")], body: .bytes([1, 2, 3]))
        #expect(unknown.status == 415)
    }

    @Test(arguments: AppKind.allCases)
    func gzipWithStartResponseOnTheFirstChunk(kind: AppKind) async throws {
        let closes = Counter()
        // PEP 3333: start_response may wait for the body's first chunk.
        let client = makeClient(kind, gzip(), app: twinApp(kind) { _, _, startResponse in
            let first = Locked(true)
            let chunks: [[UInt8]] = [Array(Self.page.utf8), Array(Self.page.utf8)]
            let inner = streamedBody(kind, chunks, closes: closes)
            return wrapBody(inner, transform: { chunk in
                if first.withLock({ let was = $0; $0 = false; return was }) {
                    try startResponse("200 OK", [("Content-Type", "text/plain")])
                }
                return chunk
            })
        })
        let response = try await client.get("/", headers: [("Accept-Encoding", "gzip")])
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(try gunzip(response.body) == Array((Self.page + Self.page).utf8))
        #expect(closes.value == 1)
    }

    // MARK: forms

    /// Parses the form (awaited for the async kind) and describes it.
    static func formApp(_ kind: AppKind, limits: FormLimits = FormLimits()) -> AnyApplication {
        let describe: @Sendable (Form, StartResponse) throws -> any ResponseBody = { form, startResponse in
            defer { form.close() }
            var lines = form.fields.map { "\($0.name)=\($0.value)" }
            for file in form.files {
                lines.append("file \(file.fieldName) \(file.filename ?? "-") \(file.size) \(String(decoding: try file.read(), as: UTF8.self))")
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return [lines.joined(separator: "\n")]
        }
        switch kind {
        case .sync:
            return catchErrors()(AnyApplication.sync { environ, startResponse in
                try describe(try parseForm(environ, limits: limits), startResponse)
            })
        case .async:
            return catchErrors()(AnyApplication.async { environ, startResponse in
                try describe(try await parseForm(environ, limits: limits), startResponse)
            })
        }
    }

    @Test(arguments: AppKind.allCases, [1, 7, 64 * 1024])
    func multipartFormsAreParsedAsTheyArrive(kind: AppKind, pieceSize: Int) async throws {
        var body = MultipartBody()
        body.field("title", "Holiday")
        body.file("photo", filename: "a.txt", Array(String(repeating: "sunny ", count: 50).utf8), type: "text/plain")
        body.field("tags", "x")
        let client = TestClient(Self.formApp(kind))
        client.requestChunkSize = pieceSize
        let response = try await client.post("/", body: .bytes(body.finished(), contentType: body.contentType))
        #expect(response.status == 200)
        #expect(response.text == "title=Holiday\ntags=x\nfile photo a.txt 300 " + String(repeating: "sunny ", count: 50))

        let urlencoded = try await client.post("/", body: .form([("name", "Jürgen K"), ("tags", "a")]))
        #expect(urlencoded.text == "name=Jürgen K\ntags=a")
    }

    @Test(arguments: AppKind.allCases)
    func formLimitsAndMalformedBodiesAreRefused(kind: AppKind) async throws {
        var limits = FormLimits()
        limits.maxBodyBytes = 200
        let client = TestClient(Self.formApp(kind, limits: limits))
        client.requestChunkSize = 16
        var big = MultipartBody()
        big.file("f", filename: "big.bin", [UInt8](repeating: 65, count: 500))
        // Sent as a chunked upload would be: no Content-Length to refuse it early.
        let tooLarge = try await client.post("/", headers: [("Content-Length", "")],
                                             body: .chunks([big.finished()], contentType: big.contentType))
        #expect(tooLarge.status == 413)
        var cut = MultipartBody()
        cut.field("a", "1")
        let truncated = try await client.post("/", body: .bytes(cut.bytes, contentType: cut.contentType))
        #expect(truncated.status == 400)
        let wrongType = try await client.post("/", body: .text("a=1"))
        #expect(wrongType.status == 415)
    }

    // MARK: static files

    @Test(arguments: AppKind.allCases)
    func staticFilesServeFilesAndFallBackToTheApplication(kind: AppKind) async throws {
        let root = try makeTemporaryFolder("async-static")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/site.css", Array("body { color: red }\n".utf8))
        let calls = Counter()
        let client = makeClient(kind, staticFiles(root: root), app: twinApp(kind) { environ, _, startResponse in
            calls.increment()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["app saw \(environ["PATH_INFO"] ?? "")"]
        })
        let file = try await client.get("/site.css")
        #expect(file.status == 200)
        #expect(file.text == "body { color: red }\n")
        #expect(file.header("Content-Type")?.hasPrefix("text/css") == true)
        let etag = try #require(file.header("ETag"))
        #expect(try await client.get("/site.css", headers: [("If-None-Match", etag)]).status == 304)
        #expect(try await client.get("/site.css", headers: [("Range", "bytes=0-3")]).text == "body")
        #expect(try await client.get("/../etc/passwd").status == 404)
        #expect(calls.value == 0)
        #expect(try await client.get("/api/items").text == "app saw /api/items")
        #expect(calls.value == 1)
    }

    // MARK: access log, request id

    @Test(arguments: AppKind.allCases)
    func accessLogCountsTheBodyAndLogsOnceWhenClosed(kind: AppKind) async throws {
        let log = CapturedErrors()
        let closes = Counter()
        let client = makeClient(kind, accessLog(to: log), app: twinApp(kind) { _, _, startResponse in
            try startResponse("201 Created", [("Content-Type", "text/plain")])
            return streamedBody(kind, [Array("abc".utf8), Array("defg".utf8)], closes: closes)
        })
        let response = try await client.post("/items?x=1", body: .text("hello"))
        #expect(response.status == 201)
        #expect(response.text == "abcdefg")
        #expect(closes.value == 1)
        #expect(log.text.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
        #expect(log.text.hasSuffix("\"POST /items?x=1 HTTP/1.1\" 201 7\n"))
    }

    @Test(arguments: AppKind.allCases)
    func accessLogLogsAnApplicationErrorAs500(kind: AppKind) async throws {
        let log = CapturedErrors()
        let client = makeClient(kind, accessLog(to: log), app: twinApp(kind) { _, _, _ in throw AppFailure(marker: "x") },
                            raise: false)
        #expect(try await client.get("/boom").status == 500)
        #expect(log.text.hasSuffix("\"GET /boom HTTP/1.1\" 500 -\n"))
    }

    @Test(arguments: AppKind.allCases)
    func requestIDGoesInAndOut(kind: AppKind) async throws {
        let client = makeClient(kind, requestID(), app: twinApp(kind) { environ, _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(environ["HTTP_X_REQUEST_ID"] ?? "-") \(environ.extras[requestIDKey] as? String ?? "-")"]
        })
        let given = try await client.get("/", headers: [("X-Request-ID", "abc-123")])
        #expect(given.text == "abc-123 abc-123")
        #expect(given.header("X-Request-ID") == "abc-123")
        let made = try await client.get("/", headers: [("X-Request-ID", "bad id\u{7}")])
        let id = try #require(made.header("X-Request-ID"))
        #expect(id.count == 32)
        #expect(made.text == "\(id) \(id)")
    }

    // MARK: auth, proxy headers

    @Test(arguments: AppKind.allCases)
    func basicAuthRefusesOrPassesTheUser(kind: AppKind) async throws {
        let calls = Counter()
        let log = CapturedErrors()
        let client = makeClient(kind, accessLog(to: log), basicAuth(realm: "admin") { $0 == "ada" && $1 == "s3cret" },
                            app: twinApp(kind) { environ, _, startResponse in
                                calls.increment()
                                try startResponse("200 OK", [("Content-Type", "text/plain")])
                                return ["hello \(environ["REMOTE_USER"] ?? "-") \(environ["AUTH_TYPE"] ?? "-")"]
                            })
        let refused = try await client.get("/")
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate") == "Basic realm=\"admin\", charset=\"UTF-8\"")
        #expect(try await client.get("/", auth: ("ada", "wrong")).status == 401)
        #expect(calls.value == 0)
        let passed = try await client.get("/", auth: ("ada", "s3cret"))
        #expect(passed.text == "hello ada Basic")
        #expect(log.text.hasSuffix("- ada [" + log.text.components(separatedBy: "- ada [").last!))
        #expect(calls.value == 1)
    }

    @Test(arguments: AppKind.allCases)
    func proxyHeadersRewriteForTrustedPeersOnly(kind: AppKind) async throws {
        let trusted = try ForwardedAllowList("127.0.0.1")
        let inner = twinApp(kind) { environ, _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(environ["REMOTE_ADDR"] ?? "-") \(environ.urlScheme)"]
        }
        let client = TestClient(ProxyHeaders(trusting: trusted).wrap(inner))
        let forwarded = try await client.get("/", headers: [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")])
        #expect(forwarded.text == "203.0.113.9 https")
        #expect(try await client.get("/", headers: [("X-Forwarded-For", "not an address")]).status == 400)
        let untrusted = TestClient(ProxyHeaders(trusting: trusted).wrap(inner), environ: ["REMOTE_ADDR": "10.0.0.1"])
        #expect(try await untrusted.get("/", headers: [("X-Forwarded-For", "203.0.113.9")]).text == "10.0.0.1 http")
    }

    // MARK: errors

    @Test(arguments: AppKind.allCases)
    func catchErrorsAnswersErrorsBeforeTheFirstChunk(kind: AppKind) async throws {
        let closes = Counter()
        let inner = twinApp(kind) { environ, _, startResponse in
            switch environ["PATH_INFO"] ?? "" {
            case "/throw": throw AppFailure(marker: "early")
            case "/gone": throw FormError.tooLarge("too big")
            case "/body":
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return streamedBody(kind, [Array("never".utf8)], closes: closes, failAfter: 0)
            default:
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return streamedBody(kind, [Array("a".utf8)], closes: closes, failAfter: 1)
            }
        }
        // The page is what a client sees; catchErrors logs the error, which a raising client would rethrow.
        let client = makeClient(kind, catchErrors(debug: true), app: inner, raise: false)
        let early = try await client.get("/throw")
        #expect(early.status == 500)
        #expect(early.text.contains("AppFailure"))
        #expect(client.errors.text.contains("error in application for GET /throw HTTP/1.1"))
        let http = try await client.get("/gone")
        #expect(http.status == 413)
        let body = try await client.get("/body")
        #expect(body.status == 500)
        #expect(body.header("Content-Type") == "text/html; charset=utf-8")
        #expect(closes.value == 1)
        // After the first chunk went out the error goes on: the connection is cut.
        let raising = makeClient(kind, catchErrors(debug: true), app: inner)
        await #expect(throws: AppFailure(marker: "body")) { try await raising.get("/late") }
        #expect(closes.value == 2)
    }

    // MARK: sync-only middleware around an async application

    @Test func aSyncOnlyMiddlewareStillWrapsAnAsyncApplication() async throws {
        let tag = Middleware { app in
            { environ, startResponse in
                try app(environ, StartResponse { status, headers, excInfo in
                    try startResponse(status, headers + [("X-Tag", "sync-only")], excInfo: excInfo)
                })
            }
        }
        let closes = Counter()
        let client = TestClient(tag(twinApp(.async) { _, body, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return streamedBody(.async, [Array("got ".utf8), body], closes: closes)
        }))
        let response = try await client.post("/", body: .chunks([Array("ab".utf8), Array("cd".utf8)]))
        #expect(response.header("X-Tag") == "sync-only")
        #expect(response.text == "got abcd")
        #expect(closes.value == 1)
    }

    @Test func anyApplicationsKeepTheirKindThroughMiddleware() async throws {
        let kinds = Locked<[String]>([])
        let probe = Middleware(sync: { app in
            { environ, startResponse in kinds.withLock { $0.append("sync") }; return try app(environ, startResponse) }
        }, async: { app in
            { environ, startResponse in kinds.withLock { $0.append("async") }; return try await app(environ, startResponse) }
        })
        let both: AnyApplication = .choosing { environ in
            environ["PATH_INFO"] == "/a" ? twinApp(.async) { _, _, s in try s("200 OK", []); return ["a"] }
                : twinApp(.sync) { _, _, s in try s("200 OK", []); return ["s"] }
        }
        let client = TestClient(probe(both))
        #expect(try await client.get("/a").text == "a")
        #expect(try await client.get("/s").text == "s")
        #expect(kinds.withLock { $0 } == ["async", "sync"])
    }
}

// MARK: - gzip helpers

/// gzip-compressed `bytes` (one stream).
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let deflater = try GzipDeflater(level: 6)
    return try deflater.compress(bytes, flush: false) + deflater.finish()
}

/// The bytes of a gzip stream.
func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let inflater = try LimitedInflater(maxOutput: 1 << 30, maxRatio: 1 << 20)
    return try inflater.inflate(bytes)
}
