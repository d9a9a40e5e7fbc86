@testable import GatewaySocket
import Testing

/// A byte stream over fixed bytes, delivered in pieces of `step` bytes to
/// exercise every split point.
final class MemoryStream: ByteStream {
    private var bytes: [UInt8]
    private let step: Int

    convenience init(_ text: String, step: Int = .max) {
        self.init(bytes: Array(text.utf8), step: step)
    }

    init(bytes: [UInt8], step: Int = .max) {
        self.bytes = bytes
        self.step = step
    }

    func receive(max: Int) throws -> [UInt8] {
        let count = min(max, step, bytes.count)
        defer { bytes.removeFirst(count) }
        return Array(bytes.prefix(count))
    }
}

@Suite("Strict HTTP/1.1 request parser")
struct RequestParserTests {
    private func parse(_ text: String, step: Int = .max, limits: RequestLimits = RequestLimits()) throws -> RequestHead? {
        try RequestHeadParser.parse(RequestReader(MemoryStream(text, step: step)), limits: limits)
    }

    private func status(of text: String) -> Int? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as HTTPParseError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test(arguments: [1, 2, 7, .max])
    func parsesAHeadDeliveredInPieces(step: Int) throws {
        let head = try #require(try parse("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Multi:  v1 \r\nx-multi: v2\r\n\r\n", step: step))
        #expect(head.method == "GET")
        #expect(head.target == "/a?b=1")
        #expect(head.version == "HTTP/1.1")
        #expect(head.values(of: "x-multi") == ["v1", "v2"])
        #expect(head.framing == .none)
        #expect(head.wantsKeepAlive)
    }

    @Test func framingByLengthAndChunked() throws {
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")?.framing == .length(5))
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")?.framing == .length(5))
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n")?.framing == .chunked)
    }

    @Test func keepAliveRules() throws {
        #expect(try parse("GET / HTTP/1.0\r\n\r\n")?.wantsKeepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.wantsKeepAlive == true)
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n")?.wantsKeepAlive == false)
    }

    @Test func emptyStreamIsNoRequest() throws {
        #expect(try parse("") == nil)
        #expect(try parse("\r\n\r\n") == nil)
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        #expect(try parse("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")?.method == "GET")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n", 413),
    ])
    func refusals(request: String, expected: Int) {
        #expect(status(of: request) == expected)
    }

    @Test func limits() {
        var limits = RequestLimits()
        limits.maxRequestLine = 20
        limits.maxHeaderCount = 2
        limits.maxHeaderBytes = 64
        #expect(throws: HTTPParseError(status: 414, reason: "request line too long")) {
            _ = try parse("GET /" + String(repeating: "a", count: 30) + " HTTP/1.1\r\n\r\n", limits: limits)
        }
        #expect(throws: HTTPParseError(status: 431, reason: "header fields too large")) {
            _ = try parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits)
        }
        #expect(throws: HTTPParseError(status: 431, reason: "header fields too large")) {
            _ = try parse("GET / HTTP/1.1\r\nHost: " + String(repeating: "x", count: 80) + "\r\n\r\n", limits: limits)
        }
    }

    @Test(arguments: [1, 3, .max])
    func chunkedBodies(step: Int) throws {
        let reader = RequestReader(MemoryStream("4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\nNEXT", step: step))
        let body = RequestBodyReader(reader: reader, framing: .chunked, maxBytes: 100)
        var all: [UInt8] = []
        while case let part = try body.read(3), !part.isEmpty { all += part }
        #expect(String(decoding: all, as: UTF8.self) == "Wikipedia")
        #expect(body.finished)
        #expect(try reader.readExactly(4) == Array("NEXT".utf8))  // trailers were consumed, not more
    }

    @Test(arguments: ["0x4\r\nWiki\r\n0\r\n\r\n", "+4\r\nWiki\r\n0\r\n\r\n", " 4\r\nWiki\r\n0\r\n\r\n",
                      "4\r\nWikiX\r\n0\r\n\r\n", "4\nWiki\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFF\r\n"])
    func badChunksAreRefused(body: String) {
        let reader = RequestReader(MemoryStream(body))
        let chunks = RequestBodyReader(reader: reader, framing: .chunked, maxBytes: 1 << 30)
        #expect(throws: HTTPParseError.self) {
            while case let part = try chunks.read(100), !part.isEmpty {}
        }
    }

    @Test func bodyOverTheLimitIs413() {
        let reader = RequestReader(MemoryStream("A\r\n0123456789\r\n0\r\n\r\n"))
        let chunks = RequestBodyReader(reader: reader, framing: .chunked, maxBytes: 5)
        #expect(throws: HTTPParseError(status: 413, reason: "body larger than 5 bytes")) { _ = try chunks.read(100) }
    }

    @Test func lengthBodyStopsAtItsEnd() throws {
        let reader = RequestReader(MemoryStream("abcdeGET"))
        let body = RequestBodyReader(reader: reader, framing: .length(5), maxBytes: 100)
        #expect(try body.read(100) == Array("abcde".utf8))
        #expect(try body.read(100).isEmpty)
        #expect(try reader.read(upTo: 3) == Array("GET".utf8))
    }
}
