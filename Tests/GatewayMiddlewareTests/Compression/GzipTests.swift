import Foundation
import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("Accept-Encoding negotiation (RFC 9110 §12.5.3)")
struct AcceptEncodingTests {
    @Test func weightsWildcardAndIdentity() {
        let header = AcceptEncoding("GZip;Q=0.5, br, identity;q=0, *;q=0.1")
        #expect(header.quality(of: "gzip") == 0.5)
        #expect(header.quality(of: "br") == 1)
        #expect(header.quality(of: "identity") == 0)
        #expect(header.quality(of: "zstd") == 0.1)
        #expect(AcceptEncoding(nil).quality(of: "identity") == 1)
        #expect(AcceptEncoding("").quality(of: "gzip") == 0)
        #expect(AcceptEncoding("*").quality(of: "gzip") == 1)
        #expect(AcceptEncoding("gzip;q=0").accepts("gzip") == false)
    }

    /// A malformed member is skipped whole, never fatal and never read as
    /// some weight: alone it leaves nothing named (gzip refused, identity
    /// acceptable), between two valid members it leaves them as they are.
    @Test(arguments: ["gzip;q=abc", "gzip;q=2", "gzip;q=0.1234", "gzip;q=", "gzip;q", "gzip;q=-1", "gzip;q=1.5",
                      "gzip;q=0.5;q=x", "g zip", "gzip;;;q==1", ";;;", ",,,", "gzip;q=0.5e1", "\u{0}gzip", "gzip;q=\u{0}1"])
    func malformedMembersAreSkipped(member: String) {
        let alone = AcceptEncoding(member)
        #expect(alone.weights == [:] && alone.wildcard == nil, "\(alone)")
        #expect(alone.quality(of: "gzip") == 0)
        #expect(alone.quality(of: "identity") == 1)
        let between = AcceptEncoding("br;q=0.5, \(member), deflate")
        #expect(between.weights == ["br": 0.5, "deflate": 1] && between.wildcard == nil, "\(between)")
    }

    /// Only `q` is read: any other parameter, well-formed or not, leaves the
    /// coding at the weight it has without it.
    @Test func otherParametersAreIgnored() {
        #expect(AcceptEncoding("gzip;level=9;q=0.3").weights == ["gzip": 0.3])
        #expect(AcceptEncoding("gzip ; q=0.7 ").weights == ["gzip": 0.7])
        #expect(AcceptEncoding("gzip;=;level;a=b=c, br").weights == ["gzip": 1, "br": 1])
        #expect(AcceptEncoding(String(repeating: "gzip;", count: 1000)).weights == ["gzip": 1])
    }
}

@Suite("gzip middleware")
struct GzipTests {
    static let page = compressibleText(4000)

    @Test(arguments: ServerKind.allCases)
    func compressesAcceptedTextAndPythonDecodesIt(kind: ServerKind) throws {
        try withServer(kind, app: gzip()(textApp(Self.page, headers: [("ETag", "\"v1\""), ("Accept-Ranges", "bytes")]))) { _, client throws in
            let response = try client.get("/", headers: [("Accept-Encoding", "gzip")])
            #expect(response.status == 200)
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("Vary") == "Accept-Encoding")
            #expect(response.header("ETag") == "W/\"v1\"")
            #expect(response.header("Accept-Ranges") == nil)
            #expect(response.body.count < Self.page.utf8.count / 4)
            #expect(response.header("Content-Length") == String(response.body.count))  // the compressed length
            #expect(try pythonGunzip(response.body) == Array(Self.page.utf8))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func identityWhenTheClientDoesNotAcceptGzip(kind: ServerKind) throws {
        try withServer(kind, app: gzip()(textApp(Self.page))) { _, client throws in
            for header in [nil, "gzip;q=0", "br", "identity", "gzip;q=0.5, identity;q=1", "gzip;q=abc", "*;q=0, identity",
                           "gzip;q=0, *", "x-gzip;q=0, *", "*, gzip;q=0"] {
                let response = try client.get("/", headers: header.map { [("Accept-Encoding", $0)] } ?? [])
                #expect(response.header("Content-Encoding") == nil, "Accept-Encoding: \(header ?? "(none)")")
                #expect(response.text == Self.page)
                #expect(response.header("Vary") == "Accept-Encoding")
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func gzipForWildcardUpperCaseAndRefusedIdentity(kind: ServerKind) throws {
        try withServer(kind, app: gzip()(textApp(Self.page))) { _, client throws in
            for header in ["*", "GZIP", "x-gzip", "identity;q=0, gzip;q=0.1", "br;q=1, gzip;q=0.8", "deflate, gzip ; q = 1"] {
                let response = try client.get("/", headers: [("Accept-Encoding", header)])
                #expect(response.header("Content-Encoding") == "gzip", "Accept-Encoding: \(header)")
                #expect(try pythonGunzip(response.body) == Array(Self.page.utf8), "Accept-Encoding: \(header)")
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func onlyEligibleResponsesAreCompressed(kind: ServerKind) throws {
        let cases: [(app: Application, compressed: Bool, vary: Bool, what: String)] = [
            (textApp(Self.page, status: "404 Not Found"), true, true, "404"),
            (textApp(Self.page, status: "403 Forbidden"), true, true, "403"),
            (textApp(Self.page, status: "203 Non-Authoritative Information"), true, true, "203"),
            (textApp(Self.page, status: "500 Internal Server Error"), false, false, "500"),
            (textApp(Self.page, status: "206 Partial Content", headers: [("Content-Range", "bytes 0-3999/9000")]), false, false, "206"),
            (textApp(Self.page, type: "image/png"), false, false, "image/png"),
            (textApp(Self.page, type: "text/event-stream"), false, false, "event stream"),
            (textApp(Self.page, type: "application/json"), true, true, "JSON"),
            (textApp(Self.page, type: "application/problem+json"), true, true, "+json"),
            (textApp(Self.page, type: "image/svg+xml"), true, true, "SVG"),
            (textApp(Self.page, type: "text/javascript"), true, true, "JavaScript"),
            (textApp(String(Self.page.prefix(500))), false, true, "500 bytes"),
            (textApp(Self.page, headers: [("Content-Encoding", "br")]), false, false, "already encoded"),
            (textApp(Self.page, headers: [(gzipOptOutHeader, "1")]), false, false, "opted out"),
            (textApp(Self.page, headers: [("Cache-Control", "private, no-transform")]), false, false, "no-transform"),
        ]
        for entry in cases {
            try withServer(kind, app: gzip()(entry.app)) { _, client throws in
                let response = try client.get("/", headers: [("Accept-Encoding", "gzip")])
                #expect((response.header("Content-Encoding") == "gzip") == entry.compressed, "\(entry.what)")
                #expect((response.header("Vary") != nil) == entry.vary, "\(entry.what)")
                #expect(response.header(gzipOptOutHeader) == nil)
                if !entry.compressed && response.header("Content-Encoding") == nil {
                    #expect(response.text.count == Self.page.count || entry.what == "500 bytes", "\(entry.what)")
                }
            }
        }
    }

    /// PEP 3333 lets an application call start_response with its first chunk.
    @Test(arguments: ServerKind.allCases)
    func startResponseFromTheFirstChunkStillWorks(kind: ServerKind) throws {
        let lazy: Application = { _, startResponse in
            var started = false
            return StreamBody(next: {
                if started { return nil }
                started = true
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return Array(Self.page.utf8)
            })
        }
        try withServer(kind, app: gzip()(lazy)) { _, client throws in
            let compressed = try client.get("/", headers: [("Accept-Encoding", "gzip")])
            #expect(compressed.status == 200)
            #expect(compressed.header("Content-Encoding") == "gzip")
            #expect(try pythonGunzip(compressed.body) == Array(Self.page.utf8))
            let plain = try client.get("/")
            #expect(plain.text == Self.page)
        }
    }

    /// A 304 carries the Vary its 200 would have.
    @Test(arguments: ServerKind.allCases)
    func notModifiedCarriesVary(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("gzip-304")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/a.txt", Array(Self.page.utf8))
        try withServer(kind, app: gzip()(staticFiles(root: root)(notFoundApp))) { _, client throws in
            let etag = try #require(try client.get("/a.txt").header("ETag"))
            let revalidated = try client.get("/a.txt", headers: [("If-None-Match", etag), ("Accept-Encoding", "gzip")])
            #expect(revalidated.status == 304)
            #expect(revalidated.header("Vary") == "Accept-Encoding")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func varyIsMergedNotDuplicated(kind: ServerKind) throws {
        try withServer(kind, app: gzip()(textApp(Self.page, headers: [("Vary", "Cookie")]))) { _, client throws in
            let response = try client.get("/", headers: [("Accept-Encoding", "gzip")])
            #expect(response.headerValues("Vary") == ["Cookie, Accept-Encoding"])
        }
        try withServer(kind, app: gzip()(textApp(Self.page, headers: [("Vary", "accept-encoding")]))) { _, client throws in
            let response = try client.get("/")
            #expect(response.headerValues("Vary") == ["accept-encoding"])
        }
    }

    /// A streamed body goes out compressed chunk by chunk: each chunk on the
    /// wire decodes on its own to the chunk the application produced (sync
    /// flush), so nothing waited for the rest of the body.
    @Test(arguments: ServerKind.allCases)
    func streamedBodiesAreCompressedChunkByChunk(kind: ServerKind) throws {
        let parts = (0..<4).map { Array(compressibleText(3000 + $0).utf8) }
        let app: Application = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return StreamBody(parts)
        }
        try withServer(kind, app: gzip()(app)) { _, client throws in
            let response = try client.get("/", headers: [("Accept-Encoding", "gzip")])
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("Content-Length") == nil)
            #expect(response.wasChunked)
            #expect(response.chunkSizes.count >= parts.count)
            // The first wire chunk alone inflates to the first part.
            let inflater = try LimitedInflater(maxOutput: 1 << 20, maxRatio: 1000)
            #expect(try inflater.inflate(Array(response.body.prefix(response.chunkSizes[0]))) == parts[0])
            #expect(try pythonGunzip(response.body) == parts.flatMap { $0 })
        }
    }

    /// A client that stops reading stops the compression too: the body is
    /// pulled only as fast as the socket drains, not buffered whole.
    @Test(arguments: ServerKind.allCases)
    func backpressureHoldsThroughCompression(kind: ServerKind) throws {
        var generator = SystemRandomNumberGenerator()
        let block = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }  // does not compress
        let total = 16_384  // 1 GiB if it were all pulled
        let pulled = Locked(0)
        let app: Application = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return StreamBody(next: {
                let count = pulled.withLock { count -> Int in
                    count += 1
                    return count
                }
                return count <= total ? block : nil
            })
        }
        try withServer(kind, app: gzip()(app)) { _, client throws in
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            let head = try client.readHead()
            #expect(head.header("Content-Encoding") == "gzip")
            // Not reading: the server may pull what the socket buffers hold (a few MB), never the
            // GiB. Watched for two seconds, it must not pass 1,000 blocks (64 MB): that would be
            // buffering, not streaming. (A slow machine pulls less, never more.)
            #expect(!waitUntil(seconds: 2) { pulled.withLock { $0 } >= 1_000 }, "\(pulled.withLock { $0 }) blocks pulled")
        }
    }

    /// HEAD gets the head GET would get.
    @Test(arguments: ServerKind.allCases)
    func headGetsTheHeadersOfGet(kind: ServerKind) throws {
        let streamed: Application = { _, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return StreamBody([Array(Self.page.utf8)])
        }
        for app in [textApp(Self.page), streamed] {
            try withServer(kind, app: gzip()(app)) { _, client throws in
                let get = try client.get("/", headers: [("Accept-Encoding", "gzip")])
                let head = try client.request("HEAD", "/", headers: [("Accept-Encoding", "gzip")])
                #expect(head.body.isEmpty)
                for name in ["Content-Encoding", "Vary", "Content-Length", "Content-Type", "ETag"] {
                    #expect(head.header(name) == get.header(name), "\(name): HEAD \(head.header(name) ?? "-"), GET \(get.header(name) ?? "-")")
                }
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func filesAreCompressedToo(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("gzip-files")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/page.html", Array(Self.page.utf8))
        try withServer(kind, app: gzip()(staticFiles(root: root)(notFoundApp))) { _, client throws in
            let response = try client.get("/page.html", headers: [("Accept-Encoding", "gzip")])
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("ETag")?.hasPrefix("W/\"") == true)
            #expect(try pythonGunzip(response.body) == Array(Self.page.utf8))
            let plain = try client.get("/page.html")
            #expect(plain.header("Content-Length") == String(Self.page.utf8.count))
            #expect(plain.header("Accept-Ranges") == "bytes")
        }
    }

    /// Not compressing, gzip hands the file body on as it is: the libevent
    /// server still sends it with sendfile.
    @Test(arguments: ServerKind.allCases)
    func uncompressedFilesStayFileWrappers(kind: ServerKind) throws {
        let root = try makeTemporaryFolder("gzip-sendfile")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/photo.png", [UInt8](repeating: 7, count: 5000))
        try writeFile(root + "/page.txt", Array(Self.page.utf8))
        let kinds = Locked<[String]>([])
        let probe = Middleware { app in
            { environ, startResponse in
                let body = try app(environ, startResponse)
                kinds.withLock { $0.append(body is FileWrapper ? "file" : "other") }
                return body
            }
        }
        try withServer(kind, app: stack(probe, gzip(), app: staticFiles(root: root)(notFoundApp))) { _, client throws in
            #expect(try client.get("/photo.png", headers: [("Accept-Encoding", "gzip")]).body.count == 5000)
            #expect(try client.get("/page.txt").body.count == Self.page.utf8.count)
            #expect(try client.get("/page.txt", headers: [("Accept-Encoding", "gzip")]).header("Content-Encoding") == "gzip")
        }
        #expect(kinds.withLock { $0 } == ["file", "file", "other"])
    }

    @Test func curlCompressedDecodesIt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            Issue.record("curl not found: the curl --compressed check did not run")
            return
        }
        for kind in ServerKind.allCases {
            try withServer(kind, app: gzip()(textApp(Self.page))) { server, client in
                client.close()  // curl's turn (the socket server serves one connection at a time)
                let result = try runTool("/usr/bin/curl", ["-s", "--noproxy", "*", "--compressed", "-D", "/dev/stderr", "--max-time", "5",
                                                          "http://127.0.0.1:\(server.port)/"])
                #expect(result?.status == 0)
                #expect(result.map { String(decoding: $0.output, as: UTF8.self) } == Self.page)
                let raw = try runTool("/usr/bin/curl", ["-s", "--noproxy", "*", "-H", "Accept-Encoding: gzip", "--max-time", "5",
                                                       "http://127.0.0.1:\(server.port)/"])
                #expect(raw.map { $0.output.starts(with: [0x1f, 0x8b]) } == true)  // gzip's magic: it really was compressed
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func legacyWriteIsCompressedToo(kind: ServerKind) throws {
        let app: Application = { _, startResponse in
            let write = try startResponse("200 OK", [("Content-Type", "text/plain")])
            try write(Self.page)
            return [String]()
        }
        try withServer(kind, app: gzip()(app)) { _, client throws in
            let response = try client.get("/", headers: [("Accept-Encoding", "gzip")])
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(try pythonGunzip(response.body) == Array(Self.page.utf8))
        }
    }
}

@Suite("gzip request bodies")
struct GzipRequestTests {
    static func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
        let deflater = try GzipDeflater()
        return try deflater.compress(bytes, flush: false) + deflater.finish()
    }

    static let bodyEcho: Application = { environ, startResponse in
        let body = try environ.input.read()
        try startResponse("200 OK", [("Content-Type", "application/octet-stream"),
                                     ("X-Seen-Encoding", environ["HTTP_CONTENT_ENCODING"] ?? "-")])
        return [body]
    }

    @Test(arguments: ServerKind.allCases)
    func offByDefault(kind: ServerKind) throws {
        let compressed = try Self.gzipped(Array("hello".utf8))
        try withServer(kind, app: gzip()(Self.bodyEcho)) { _, client throws in
            let response = try client.request("POST", "/", headers: [("Content-Encoding", "gzip")], body: compressed)
            #expect(response.body == compressed)
            #expect(response.header("X-Seen-Encoding") == "gzip")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func decompressesWhenOnAndRefusesPastTheCaps(kind: ServerKind) throws {
        var options = GzipOptions()
        options.decompressRequests = true
        options.maxDecompressedBytes = 100_000
        options.maxDecompressionRatio = 50
        let calls = Counter()
        let app: Application = { environ, startResponse in
            calls.increment()
            return try Self.bodyEcho(environ, startResponse)
        }
        let text = Array((0..<2000).map { "line \($0): \($0 &* 7919 % 100_003)\n" }.joined().utf8)  // compresses < 50:1
        try withServer(kind, app: gzip(options)(app)) { _, client throws in
            let ok = try client.request("POST", "/", headers: [("Content-Encoding", "gzip")], body: Self.gzipped(text))
            #expect(ok.status == 200)
            #expect(ok.body.count == text.count && ok.body == text)
            #expect(ok.header("X-Seen-Encoding") == "-")
            #expect(calls.value == 1)

            let bomb = try Self.gzipped([UInt8](repeating: 0, count: 1_000_000))  // ~1 KB that inflates 1000 times
            #expect(try client.request("POST", "/", headers: [("Content-Encoding", "gzip")], body: bomb).status == 413)
            let port = try client.port()
            client.close()
            let tooBig = try Self.gzipped((0..<20_000).flatMap { Array("line \($0): \($0 &* 7919 % 100_003)\n".utf8) })
            let client2 = try TestHTTPClient(port: port, timeout: 5)
            #expect(try client2.request("POST", "/", headers: [("Content-Encoding", "gzip")], body: tooBig).status == 413)
            client2.close()
            let client3 = try TestHTTPClient(port: port, timeout: 5)
            #expect(try client3.request("POST", "/", headers: [("Content-Encoding", "gzip")], body: Array("not gzip at all".utf8)).status == 400)
            client3.close()
            let client4 = try TestHTTPClient(port: port, timeout: 5)
            #expect(try client4.request("POST", "/", headers: [("Content-Encoding", "br")], body: [1, 2, 3]).status == 415)
            #expect(calls.value == 1)
        }
    }
}

extension TestHTTPClient {
    /// The port this client is connected to.
    func port() throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
