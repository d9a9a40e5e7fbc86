import Foundation
import Gateway
@testable import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

/// A multipart/form-data body built by hand.
struct MultipartBody {
    var boundary = "----eventgateway-7MA4YWxkTrZu0gW"
    var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, _ contents: [UInt8], type: String = "application/octet-stream") {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        bytes += contents + Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

@Suite("forms")
struct FormTests {
    /// Parses the form and describes it; errors go to catchErrors (413/400/415).
    static func formApp(limits: FormLimits = FormLimits(), handled: Counter? = nil, spilled: Locked<[String]>? = nil) -> Application {
        catchErrors()({ environ, startResponse in
            let form = try parseForm(environ, limits: limits)
            handled?.increment()
            var lines = form.fields.map { "\($0.name)=\($0.value)" }
            for file in form.files {
                var mode = stat()
                if let path = file.temporaryPath {
                    stat(path, &mode)
                    spilled?.withLock { $0.append(path) }
                }
                let bytes = try file.read()
                lines.append("file \(file.fieldName) \(file.filename ?? "-") \(file.size) \(bytes.count) \(file.isOnDisk ? String(mode.st_mode & 0o777, radix: 8) : "memory")")
            }
            form.close()
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return [lines.joined(separator: "\n")]
        })
    }

    @Test func queryStringsSplitOnAmpersandOnly() {
        let pairs = parseQuery("a=1&b=x+y&c=%C3%A9%26&d&&e=&a=2&f=1;g=2")
        #expect(pairs.map(\.name) == ["a", "b", "c", "d", "e", "a", "f"])
        #expect(pairs.map(\.value) == ["1", "x y", "é&", "", "", "2", "1;g=2"])
    }

    @Test(arguments: ServerKind.allCases)
    func urlencodedBodiesAndQueryStrings(kind: ServerKind) throws {
        try withServer(kind, app: Self.formApp()) { _, client throws in
            let posted = try client.request("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                             body: Array("name=J%C3%BCrgen+K&tags=a&tags=b".utf8))
            #expect(posted.text == "name=Jürgen K\ntags=a\ntags=b")
            #expect(try client.get("/?q=swift+gateway&page=2").text == "q=swift gateway\npage=2")
            let other = try client.request("POST", "/", headers: [("Content-Type", "text/plain")], body: [65])
            #expect(other.status == 415)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func multipartFieldsAndFilesInMemoryAndOnDisk(kind: ServerKind) throws {
        var body = MultipartBody()
        body.field("note", "hello\r\nworld")
        body.file("small", filename: "a.txt", Array("tiny".utf8), type: "text/plain")
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        body.file("big", filename: "../../etc/passwd", big)
        body.field("empty", "")
        var limits = FormLimits()
        limits.memoryThreshold = 100_000
        let spilled = Locked<[String]>([])
        try withServer(kind, app: Self.formApp(limits: limits, spilled: spilled)) { _, client throws in
            let response = try client.request("POST", "/", headers: [("Content-Type", body.contentType)], body: body.finished())
            #expect(response.status == 200)
            #expect(response.text == """
                note=hello\r\nworld
                empty=
                file small a.txt 4 4 memory
                file big ../../etc/passwd 300000 300000 600
                """)
            let paths = spilled.withLock { $0 }
            #expect(paths.count == 1)
            #expect(paths.allSatisfy { $0.hasPrefix("/tmp/eventgateway-upload-") })   // ours, never the client's name
            #expect(paths.allSatisfy { access($0, F_OK) != 0 })                       // deleted on close
        }
    }

    /// Each limit: 413, and the application never gets a form.
    @Test(arguments: ServerKind.allCases)
    func limitsAnswer413(kind: ServerKind) throws {
        var limits = FormLimits()
        limits.maxBodyBytes = 50_000
        limits.maxParts = 5
        limits.maxFieldBytes = 100
        limits.maxPartHeaderBytes = 200
        limits.maxBoundaryLength = 70
        var tooManyParts = MultipartBody()
        for index in 0..<6 { tooManyParts.field("f\(index)", "x") }
        var bigField = MultipartBody()
        bigField.field("f", String(repeating: "x", count: 101))
        var bigHeaders = MultipartBody()
        bigHeaders.bytes += Array("--\(bigHeaders.boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: \(String(repeating: "p", count: 300))\r\n\r\nv\r\n".utf8)
        var bigBody = MultipartBody()
        bigBody.file("f", filename: "f", [UInt8](repeating: 1, count: 60_000))
        var longBoundary = MultipartBody()
        longBoundary.boundary = String(repeating: "b", count: 71)
        longBoundary.field("a", "b")
        let cases: [(String, MultipartBody, String?)] = [
            ("parts", tooManyParts, nil), ("field", bigField, nil), ("part headers", bigHeaders, nil),
            ("body", bigBody, nil), ("boundary", longBoundary, nil),
        ]
        let handled = Counter()
        try withServer(kind, app: Self.formApp(limits: limits, handled: handled)) { server, first throws in
            first.close()
            for (what, body, _) in cases {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                let response = try client.request("POST", "/", headers: [("Content-Type", body.contentType)], body: body.finished())
                #expect(response.status == 413, "\(what)")
                client.close()
            }
            // A declared length past the limit is refused before reading.
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            let urlencoded = try client.request("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                body: [UInt8](repeating: 0x61, count: 50_001))
            #expect(urlencoded.status == 413)
            #expect(handled.value == 0)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func malformedBodiesAnswer400(kind: ServerKind) throws {
        let boundary = "XyZ"
        let type = "multipart/form-data; boundary=\(boundary)"
        let cases: [(String, String, String)] = [
            ("no closing boundary", type, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"),
            ("no boundary at all", type, "just text"),
            ("no name", type, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--"),
            ("not form-data", type, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--XyZ--"),
            ("header without colon", type, "--XyZ\r\nbroken header\r\n\r\nv\r\n--XyZ--"),
            ("junk after boundary", type, "--XyZjunk\r\n\r\nv\r\n--XyZ--"),
            ("no boundary parameter", "multipart/form-data", "--XyZ--"),
            ("empty boundary", "multipart/form-data; boundary=\"\"", "----"),
            ("bad boundary characters", "multipart/form-data; boundary=\"a\u{7f}b\"", "--a\u{7f}b--"),
        ]
        let handled = Counter()
        try withServer(kind, app: Self.formApp(handled: handled)) { server, first throws in
            first.close()
            for (what, contentType, body) in cases {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                let response = try client.request("POST", "/", headers: [("Content-Type", contentType)], body: Array(body.utf8))
                #expect(response.status == 400, "\(what)")
                client.close()
            }
            #expect(handled.value == 0)
        }
    }

    /// Part headers that never end are refused once past the limit, without reading on.
    @Test func endlessPartHeadersStopAtTheLimit() throws {
        var limits = FormLimits()
        limits.maxPartHeaderBytes = 1000
        let pulled = Locked(0)
        let input = RequestInput(source: { _ in
            let count = pulled.withLock { count -> Int in
                count += 1
                return count
            }
            if count == 1 { return Array("--b\r\n".utf8) }
            return count < 10_000 ? Array(String(repeating: "X-Header: y\r\n", count: 50).utf8) : []
        })
        let environ = Environ(variables: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=b"], input: input)
        #expect(throws: FormError.tooLarge("part headers over 1000 bytes")) { try parseForm(environ, limits: limits) }
        #expect(pulled.withLock { $0 } < 1_000)  // about one 64 KiB read, not the 6 MB on offer
    }

    @Test func temporaryFilesAreDeletedWhenParsingFails() throws {
        let folder = try makeTemporaryFolder("spill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var limits = FormLimits()
        limits.memoryThreshold = 10
        limits.temporaryDirectory = folder
        var body = MultipartBody()
        body.file("f", filename: "f.bin", [UInt8](repeating: 7, count: 1000))
        var environ = Environ(variables: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": body.contentType],
                              input: RequestInput(body.bytes))  // no closing boundary
        #expect(throws: FormError.malformed("body ends before the closing boundary")) { try parseForm(environ, limits: limits) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)

        environ.input = RequestInput(body.finished())
        let form = try parseForm(environ, limits: limits)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1)
        #expect(try form.files[0].read() == [UInt8](repeating: 7, count: 1000))
        form.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    /// The streamed parser against a reference split, on CR/LF-dense input
    /// cut into blocks at random places (seeded: the seed is printed and in
    /// the failure messages, with the input).
    @Test func boundaryScannerFuzzedWithCRLFDenseInput() throws {
        var generator = SeededGenerator.forFuzzing()
        let alphabet: [UInt8] = Array("\r\n-Xb".utf8)
        for _ in 0..<300 {
            let boundary = Array("b-X".utf8)
            let delimiter = Array("\r\n--".utf8) + boundary
            let count = Int.random(in: 0...300, using: &generator)
            let data = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            // Reference: first occurrence by plain search.
            var expected: Int?
            if data.count >= delimiter.count {
                for start in 0...(data.count - delimiter.count) where Array(data[start..<(start + delimiter.count)]) == delimiter {
                    expected = start
                    break
                }
            }
            var scanner = BoundaryScanner(boundary: boundary)
            var emitted: [UInt8] = []
            var found: Int?
            var offset = 0
            while offset < data.count, found == nil {
                let length = Int.random(in: 1...7, using: &generator)
                let block = data[offset..<min(offset + length, data.count)]
                let (out, end) = scanner.scan(block)
                emitted += out
                if let end { found = end - delimiter.count }   // index in `data` where the delimiter began
                offset += block.count
            }
            #expect(found == expected, "\(generator.replay): \(escapedBytes(data))")
            if let expected { #expect(emitted == Array(data[0..<expected]), "\(generator.replay): \(escapedBytes(data))") }
        }
    }

    /// A long run that almost matches everywhere still parses, in one pass.
    @Test func adversarialBodyParses() throws {
        let boundary = "----" + String(repeating: "\r\n-", count: 20)
        var body = MultipartBody()
        body.boundary = "abc"
        body.field("x", String(repeating: "\r\n--ab\r\n-", count: 20_000))
        var limits = FormLimits()
        limits.maxFieldBytes = 1 << 20
        let environ = Environ(variables: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": body.contentType],
                              input: RequestInput(body.finished()))
        let form = try parseForm(environ, limits: limits)
        #expect(form["x"]?.utf8.count == 20_000 * 9)
        _ = boundary
    }
}

@Suite("cookies")
struct CookieTests {
    @Test func parsesTheCookieHeader() {
        let cookies = parseCookieHeader("a=1; b=\"two\";c=3 ; a=ignored; bad name=x; =y; d=")
        #expect(cookies == ["a": "1", "b": "two", "c": "3", "d": ""])
    }

    @Test func buildsSetCookieWithItsAttributes() {
        var cookie = SetCookie(name: "session", value: "a b;c")
        cookie.maxAge = 3600
        cookie.expires = 0
        cookie.domain = "example.com"
        cookie.sameSite = .strict
        #expect(cookie.header.0 == "Set-Cookie")
        #expect(cookie.headerValue == "session=a%20b%3Bc; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=3600; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Strict")
        var loose = SetCookie(name: "x", value: "1")
        loose.secure = false
        loose.httpOnly = false
        loose.sameSite = nil
        loose.path = nil
        #expect(loose.headerValue == "x=1")
        loose.sameSite = SetCookie.SameSite.none
        #expect(loose.headerValue == "x=1; Secure; SameSite=None")
    }

    @Test(arguments: ServerKind.allCases)
    func roundTripThroughAServer(kind: ServerKind) throws {
        let app: Application = { environ, startResponse in
            let seen = parseCookies(environ)["visits"].flatMap { Int($0) } ?? 0
            try startResponse("200 OK", [("Content-Type", "text/plain"), SetCookie(name: "visits", value: String(seen + 1)).header])
            return ["\(seen)"]
        }
        try withServer(kind, app: app) { _, client throws in
            let first = try client.get("/")
            #expect(first.text == "0")
            let cookie = try #require(first.header("Set-Cookie")?.split(separator: ";").first)
            #expect(try client.get("/", headers: [("Cookie", String(cookie))]).text == "1")
        }
    }
}
