@testable import GatewayEvent
import Testing

@Suite struct HeadScannerTests {
    private func scan(_ pieces: [String]) -> HeadScanner {
        var scanner = HeadScanner()
        for piece in pieces {
            _ = Array(piece.utf8).withUnsafeBytes { scanner.scan($0) }
        }
        return scanner
    }

    @Test func findsTheEmptyLineAndCountsTheHeadOnly() {
        let head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let scanner = scan([head + "body bytes"])
        #expect(scanner.isComplete)
        #expect(scanner.count == head.utf8.count)
    }

    @Test func endMaySpanPieces() {
        for split in 1..<27 {
            let head = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            let scanner = scan([String(decoding: head[..<split], as: UTF8.self),
                                String(decoding: head[split...], as: UTF8.self) + "rest"])
            #expect(scanner.isComplete, "split at \(split)")
            #expect(scanner.count == head.count)
        }
    }

    @Test func bareLineFeedsEndItToo() {
        #expect(scan(["GET / HTTP/1.1\nHost: x\n\n"]).isComplete)
    }

    @Test func emptyLinesBeforeTheRequestLineDoNotEndIt() {
        let scanner = scan(["\r\n\r\nGET / HTTP/1.1\r\n"])
        #expect(!scanner.isComplete)
        #expect(scanner.count == 20)
    }

    @Test func unfinishedHeadKeepsCounting() {
        let scanner = scan(["GET / HTTP/1.1\r\n", "X-A: \(String(repeating: "a", count: 100))\r\n"])
        #expect(!scanner.isComplete)
        #expect(scanner.count == 16 + 107)
    }
}

extension HeadScannerTests {
    @Test func noticesAChunkedBody() {
        #expect(scan(["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"]).announcesChunked)
        #expect(scan(["POST / HTTP/1.1\r\ntransfer-encoding:gzip, Chunked\r\n\r\n"]).announcesChunked)
        #expect(scan(["POST / HTTP/1.1\r\nTransfer-Enc", "oding: chun", "ked\r\n\r\n"]).announcesChunked)
        #expect(!scan(["POST / HTTP/1.1\r\nTE: chunked\r\nX-Transfer-Encoding: chunked\r\n\r\n"]).announcesChunked)
        #expect(!scan(["POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nTransfer-Encoding: chunked\r\n"]).announcesChunked)
    }

    @Test func scanReturnsTheHeadsShareOfABuffer() {
        var scanner = HeadScanner()
        let consumed = Array("GET / HTTP/1.1\r\n\r\nGET /next".utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(consumed == 18)
    }
}

@Suite struct ChunkedBodyScannerTests {
    private func state(_ body: String, step: Int = .max) -> ChunkedBodyScanner.State {
        var scanner = ChunkedBodyScanner()
        let bytes = Array(body.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + step)
            bytes[start..<end].withUnsafeBytes { scanner.scan($0) }
            start = end
        }
        return scanner.state
    }

    @Test(arguments: [1, 3, Int.max])
    func wellFormedBodiesEnd(step: Int) {
        #expect(state("3\r\nabc\r\n0\r\n\r\n", step: step) == .done)
        #expect(state("A;name=value\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n", step: step) == .done)
        #expect(state("3\r\nab", step: step) == .data(left: 1))
    }

    @Test(arguments: [
        "0x3\r\nabc\r\n0\r\n\r\n", "+3\r\nabc\r\n0\r\n\r\n", " 3\r\nabc\r\n0\r\n\r\n", "-1\r\n",
        "\r\n", "3\nabc\r\n0\r\n\r\n", "3\r\nabcd\r\n", "1000000000000000\r\n", "3;\u{1}\r\n",
        "0\r\nX: 1\n\r\n",
    ])
    func malformedFramingIsInvalid(body: String) {
        guard case .invalid = state(body) else {
            Issue.record("accepted \(body.debugDescription)")
            return
        }
    }
}
