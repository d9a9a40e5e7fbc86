import Foundation
import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("staticFiles middleware")
struct StaticFilesTests {
    /// A root with a few files, a folder with an index, and a secret beside it.
    final class Site {
        let root: String
        let outside: String
        init() throws {
            outside = try makeTemporaryFolder("static")
            root = outside + "/www"
            try FileManager.default.createDirectory(atPath: root + "/css", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
            try writeFile(root + "/css/site.css", Array("body{}".utf8))
            try writeFile(root + "/docs/index.html", Array("<h1>docs</h1>".utf8))
            try writeFile(root + "/data.txt", Array("0123456789".utf8))
            try writeFile(root + "/logo.svg", Array("<svg/>".utf8))
            try writeFile(outside + "/secret.txt", Array("secret".utf8))
            symlink(outside + "/secret.txt", root + "/link-out.txt")
            symlink(outside, root + "/dir-out")
            symlink(root + "/data.txt", root + "/link-in.txt")
        }
        deinit { try? FileManager.default.removeItem(atPath: outside) }
    }

    @Test(arguments: ServerKind.allCases)
    func servesFilesWithTypesValidatorsAndCacheControl(kind: ServerKind) throws {
        let site = try Site()
        let app = staticFiles(root: site.root, options: StaticFileOptions(cacheControl: "public, max-age=60"))(notFoundApp)
        try withServer(kind, app: app) { _, client throws in
            let css = try client.get("/css/site.css")
            #expect(css.status == 200)
            #expect(css.text == "body{}")
            #expect(css.header("Content-Type") == "text/css; charset=utf-8")
            #expect(css.header("Content-Length") == "6")
            #expect(css.header("Cache-Control") == "public, max-age=60")
            #expect(css.header("Accept-Ranges") == "bytes")
            #expect(css.header("Last-Modified")?.hasSuffix("GMT") == true)
            let etag = try #require(css.header("ETag"))
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))  // strong
            #expect(try client.get("/logo.svg").header("Content-Type") == "image/svg+xml")
            let head = try client.request("HEAD", "/css/site.css")
            #expect(head.header("Content-Length") == "6")
            #expect(head.header("ETag") == etag)
            #expect(head.body.isEmpty)
            #expect(try client.request("POST", "/css/site.css", body: [1]).status == 405)
        }
    }

    /// Serves a fresh ``Site`` with `kind`'s server and runs `body` with a
    /// client and `/data.txt`'s validators (its ETag and Last-Modified).
    private func withDataValidators(_ kind: ServerKind, _ body: (TestHTTPClient, String, String) throws -> Void) throws {
        let site = try Site()
        try withServer(kind, app: staticFiles(root: site.root)(notFoundApp)) { _, client throws in
            let first = try client.get("/data.txt")
            try body(client, try #require(first.header("ETag")), try #require(first.header("Last-Modified")))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func conditionalRequestsGet304(kind: ServerKind) throws {
        try withDataValidators(kind) { client, etag, modified in
            let cases: [([(String, String)], Int)] = [
                ([("If-None-Match", etag)], 304),
                ([("If-None-Match", "W/" + etag)], 304),             // weak comparison
                ([("If-None-Match", "\"other\", " + etag)], 304),
                ([("If-None-Match", "*")], 304),
                ([("If-None-Match", "\"other\"")], 200),
                ([("If-Modified-Since", modified)], 304),
                ([("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")], 200),
                ([("If-Modified-Since", "garbage")], 200),
                ([("If-None-Match", "\"other\""), ("If-Modified-Since", modified)], 200),  // INM decides
            ]
            for (headers, status) in cases {
                let response = try client.get("/data.txt", headers: headers)
                #expect(response.status == status, "\(headers)")
                if status == 304 {
                    #expect(response.header("ETag") == etag)
                    #expect(response.body.isEmpty)
                }
            }
        }
    }

    /// RFC 9110 §13.2.2's order: If-Match, else If-Unmodified-Since (412
    /// when false), before If-None-Match / If-Modified-Since (304).
    @Test(arguments: ServerKind.allCases)
    func failedPreconditionsGet412(kind: ServerKind) throws {
        try withDataValidators(kind) { client, etag, modified in
            let cases: [([(String, String)], Int)] = [
                ([("If-Match", "\"nope\"")], 412),
                ([("If-Match", "W/" + etag)], 412),                    // strong comparison
                ([("If-Match", etag)], 200),
                ([("If-Match", "\"nope\", " + etag)], 200),
                ([("If-Match", "*")], 200),
                ([("If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")], 412),
                ([("If-Unmodified-Since", modified)], 200),
                ([("If-Unmodified-Since", "garbage")], 200),           // an invalid date is ignored
                ([("If-Match", etag), ("If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")], 200),  // If-Match decides
                ([("If-Match", "\"nope\""), ("If-None-Match", etag)], 412),  // before the 304
                ([("If-Match", etag), ("If-None-Match", etag)], 304),
            ]
            for (headers, status) in cases {
                let response = try client.get("/data.txt", headers: headers)
                #expect(response.status == status, "\(headers)")
                if status == 200 { #expect(response.text == "0123456789", "\(headers)") }
            }
            let head = try client.request("HEAD", "/data.txt", headers: [("If-Match", "\"nope\"")])
            #expect(head.status == 412)
            #expect(head.body.isEmpty)
        }
    }

    /// A recipient must read all three forms of an HTTP date (RFC 9110 §5.6.7).
    @Test func httpDatesInEachForm() {
        let expected = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(parseHTTPDate("Sun Nov  6 08:49:37 1994") == expected)
        #expect(parseHTTPDate("Sun Nov 06 08:49:37 1994") == expected)
        for invalid in ["", "garbage", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
                        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
                        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov  6 08:49:37", "Sun, +6 Nov 1994 08:49:37 GMT"] {
            #expect(parseHTTPDate(invalid) == nil, "\(invalid)")
        }
        // A two-digit year more than 50 years ahead is the century before.
        #expect(parseHTTPDate("Friday, 01-Jan-99 00:00:00 GMT") == parseHTTPDate("Fri, 01 Jan 1999 00:00:00 GMT"))
        #expect(parseHTTPDate("Friday, 01-Jan-27 00:00:00 GMT") == parseHTTPDate("Fri, 01 Jan 2027 00:00:00 GMT"))
    }

    @Test(arguments: ServerKind.allCases)
    func singleRangesGet206And416(kind: ServerKind) throws {
        let site = try Site()
        try withServer(kind, app: staticFiles(root: site.root)(notFoundApp)) { _, client throws in
            let cases: [(String, Int, String?, String?)] = [
                ("bytes=0-3", 206, "0123", "bytes 0-3/10"),
                ("bytes=7-", 206, "789", "bytes 7-9/10"),
                ("bytes=-2", 206, "89", "bytes 8-9/10"),
                ("bytes=5-100", 206, "56789", "bytes 5-9/10"),
                ("bytes=10-", 416, nil, "bytes */10"),
                ("bytes=-0", 416, nil, "bytes */10"),
                ("bytes=0-1,3-4", 200, "0123456789", nil),  // several ranges: the whole file
                ("items=0-1", 200, "0123456789", nil),
                ("bytes=3-1", 200, "0123456789", nil),
            ]
            for (range, status, body, contentRange) in cases {
                let response = try client.get("/data.txt", headers: [("Range", range)])
                #expect(response.status == status, "\(range)")
                if let body { #expect(response.text == body, "\(range)") }
                #expect(response.header("Content-Range") == contentRange, "\(range)")
            }
            let etag = try #require(try client.get("/data.txt").header("ETag"))
            #expect(try client.get("/data.txt", headers: [("Range", "bytes=0-1"), ("If-Range", etag)]).status == 206)
            #expect(try client.get("/data.txt", headers: [("Range", "bytes=0-1"), ("If-Range", "\"stale\"")]).status == 200)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func foldersServeTheirIndexAfterASlashRedirect(kind: ServerKind) throws {
        let site = try Site()
        try withServer(kind, app: staticFiles(root: site.root)(notFoundApp)) { _, client throws in
            let redirect = try client.get("/docs?x=1")
            #expect(redirect.status == 301)
            #expect(redirect.header("Location") == "/docs/?x=1")
            let index = try client.get("/docs/")
            #expect(index.status == 200)
            #expect(index.text == "<h1>docs</h1>")
            #expect(index.header("Content-Type") == "text/html; charset=utf-8")
            #expect(try client.get("/empty/").status == 404)   // no index: falls through
        }
    }

    @Test(arguments: ServerKind.allCases)
    func missesFallThroughToTheWrappedApplication(kind: ServerKind) throws {
        let site = try Site()
        let calls = Counter()
        try withServer(kind, app: staticFiles(root: site.root)(textApp("from the app", calls: calls))) { _, client throws in
            let response = try client.get("/api/things")
            #expect(response.text == "from the app")
            #expect(calls.value == 1)
            #expect(try client.get("/data.txt").text == "0123456789")
            #expect(calls.value == 1)
            #expect(try client.get("/link-in.txt").text == "0123456789")  // a link inside the root is fine
        }
    }

    /// Every traversal attempt answers 404 and never reaches the wrapped application.
    static let traversals = [
        "/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/css/%2e%2e/%2e%2e/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
        "/%252e%252e/secret.txt", "/css/%252e%252e/%252e%252e/secret.txt",
        "/..%2fsecret.txt", "/..%252fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/css/..%5c..%5csecret.txt",
        "/data.txt%00.png", "/%00", "/link-out.txt", "/dir-out/secret.txt",
        "//../secret.txt", "/./../secret.txt", "/css/./../../secret.txt",
        "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt", "/..%c0%afsecret.txt", "/css/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afsecret.txt",
    ]

    @Test(arguments: ServerKind.allCases)
    func traversalAttemptsAnswer404(kind: ServerKind) throws {
        let site = try Site()
        let calls = Counter()
        try withServer(kind, app: staticFiles(root: site.root)(textApp("app", calls: calls))) { server, first throws in
            first.close()  // a connection per attempt (the socket server serves one at a time)
            for target in Self.traversals {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                let response: TestResponse
                do { response = try client.get(target) } catch {
                    Issue.record("\(target): \(error)")
                    continue
                }
                // The server may refuse a raw backslash or NUL itself (400); the file never leaks.
                #expect(response.status == 404 || response.status == 400, "\(target): \(response.status)")
                #expect(!response.text.contains("secret"), "\(target)")
            }
            #expect(calls.value == 0)
        }
    }

    @Test func resolverRefusesEachTraversal() throws {
        let site = try Site()
        let resolver = StaticFileResolver(root: site.root)
        for path in ["/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt", "/.%2e/x", "/a\u{0}b", "/..\\secret.txt",
                     "/link-out.txt", "/dir-out/secret.txt", "/%2f/etc/passwd"] {
            #expect(resolver.resolve(path, indexFile: "index.html") == .refused, "\(path)")
        }
        #expect(resolver.resolve("/data.txt", indexFile: "index.html") != .refused)
    }

    @Test func byteRangeParsing() {
        #expect(ByteRange.parse("bytes=0-0", length: 1) == .satisfiable(0...0))
        #expect(ByteRange.parse("bytes=-5", length: 3) == .satisfiable(0...2))
        #expect(ByteRange.parse("bytes=0-", length: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-5", length: 0) == .ignored)  // the whole empty file, 200
        #expect(ByteRange.parse("bytes=-0", length: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=99999999999999999999-", length: 10) == .ignored)
        #expect(ByteRange.parse("bytes = 1-2", length: 10) == .ignored)
    }
}
