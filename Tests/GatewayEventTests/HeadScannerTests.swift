@testable import GatewayEvent
import Testing

@Suite struct HeadScannerTests {
    private func scan(_ pieces: [String]) -> HeadScanner {
        var scanner = HeadScanner()
        for piece in pieces {
            Array(piece.utf8).withUnsafeBytes { scanner.scan($0) }
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
