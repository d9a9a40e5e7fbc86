@_spi(GatewayKit) import Gateway
@testable import GatewayHTTP
import GatewayTesting
import Testing

/// Mutation fuzzing in memory: valid requests with bytes flipped, inserted,
/// deleted, repeated or cut. Whatever comes in, the parser must answer with
/// requests that keep its rules or a 4xx/5xx refusal, and read a stream the
/// same way whether it arrives at once or a few bytes at a time.
/// (`make fuzz` runs libFuzzer over the same parser for longer.)
@Suite("Parser fuzzing")
struct ParserFuzzTests {
    static let seeds = RequestParserTests.samples + [
        "PUT /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: [::1]:8\r\n\r\n",
        "POST http://h/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\n\r\n",
    ].map { Array($0.utf8) }


    @Test func mutatedRequestsAreParsedOrRefusedTheSameWayInAnyPieces() {
        var random = RequestMutator(seed: 0x5EED)
        var refusals: [Int: Int] = [:]
        var accepted = 0
        for round in 0..<5000 {
            var bytes = Self.seeds[round % Self.seeds.count]
            for _ in 0...random.next(below: 2) { random.mutate(&bytes) }
            let whole = outcomes(of: bytes, check: checkRules)
            let split = outcomes(of: bytes, step: 1 + random.next(below: 3))
            #expect(whole == split, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            for case .refused(let status) in whole { refusals[status, default: 0] += 1 }
            if case .request? = whole.first { accepted += 1 }
        }
        // Both sides are reached: requests still accepted, and refusals.
        #expect(accepted > 500 && refusals[400, default: 0] > 500, "accepted \(accepted), refused \(refusals)")
        #expect(Set(refusals.keys).isSubset(of: [400, 413, 414, 431, 501, 505]), "\(refusals)")
    }

    /// What the parser promises about anything it accepts.
    private func checkRules(_ head: RequestHead) {
        #expect(!head.method.isEmpty && head.method.utf8.allSatisfy { HTTPCharacters.isToken($0) })
        #expect(head.target.utf8.allSatisfy { HTTPCharacters.isTarget($0) })
        for field in head.fields {
        let (key, value) = (field.key, field.value)
            #expect(key.utf8.count > 5 && key.utf8.allSatisfy { HTTPCharacters.isToken($0) && !(0x61...0x7A).contains($0) })
            #expect(!value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
            #expect(value.first != " " && value.first != "\t" && value.last != " " && value.last != "\t")
        }
        #expect(head.field("CONTENT_LENGTH") == nil || head.field("HTTP_TRANSFER_ENCODING") == nil,
                "both Content-Length and Transfer-Encoding accepted")
        if head.minorVersion == 1 { #expect(head.field("HTTP_HOST") != nil) }
        if case .length(let length) = head.framing { #expect(length > 0) }
    }
}
