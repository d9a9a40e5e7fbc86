@testable import GatewaySocket
import Testing

/// Mutation fuzzing of the socket server's parser, in memory: valid
/// requests with bytes flipped, inserted, deleted, repeated or cut. Whatever
/// comes in, the parser must answer with a request that keeps the rules, a
/// 4xx/5xx refusal or the end of the stream, and must read a stream the same
/// way whether it arrives at once or a byte at a time.
@Suite("Parser fuzzing")
struct ParserFuzzTests {
    static let seeds = [
        "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "PUT /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n",
    ].map { Array($0.utf8) }

    static let interesting: [UInt8] = Array("\r\n\0 \t:;,-0f+x".utf8) + [0x7F, 0x80, 0xFF]

    /// What a parse of a whole stream amounts to, for comparing two deliveries.
    enum Outcome: Equatable {
        case request(method: String, target: String, headers: Int, body: [UInt8])
        case refused(Int)
        case end
    }

    @Test func mutatedRequestsAreParsedOrRefusedTheSameWayInAnyPieces() {
        var random = SplitMix(seed: 0x5EED)
        var refusals: [Int: Int] = [:]
        var accepted = 0
        for round in 0..<5000 {
            var bytes = Self.seeds[round % Self.seeds.count]
            for _ in 0...random.next(below: 2) { mutate(&bytes, &random) }
            let whole = outcomes(of: bytes, step: .max)
            let split = outcomes(of: bytes, step: 1 + random.next(below: 3))
            #expect(whole == split, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            for case .refused(let status) in whole { refusals[status, default: 0] += 1 }
            if case .request? = whole.first { accepted += 1 }
        }
        // Both sides are reached: requests still accepted, and refusals.
        #expect(accepted > 500 && refusals[400, default: 0] > 500, "accepted \(accepted), refused \(refusals)")
        #expect(Set(refusals.keys).isSubset(of: [400, 413, 414, 431, 501, 505]), "\(refusals)")
    }

    private func outcomes(of bytes: [UInt8], step: Int) -> [Outcome] {
        let reader = RequestReader(MemoryStream(bytes: bytes, step: step))
        var results: [Outcome] = []
        for _ in 0..<4 {  // a few pipelined requests at most
            do {
                guard let head = try RequestHeadParser.parse(reader, limits: RequestLimits()) else {
                    results.append(.end)
                    return results
                }
                checkRules(head)
                let body = RequestBodyReader(reader: reader, framing: head.framing, maxBytes: 1 << 20)
                var received: [UInt8] = []
                while !body.finished {
                    let piece = try body.read(4096)
                    if piece.isEmpty && !body.finished { break }
                    received += piece
                }
                results.append(.request(method: head.method, target: head.target, headers: head.headers.count, body: received))
            } catch let error as HTTPParseError {
                results.append(.refused(error.status))
                return results
            } catch {
                Issue.record("unexpected error \(error)")
                return results
            }
        }
        return results
    }

    /// What the parser promises about anything it accepts.
    private func checkRules(_ head: RequestHead) {
        #expect(!head.method.isEmpty && head.method.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
        #expect(head.target.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F })
        #expect(head.major == 1 && (head.minor == 0 || head.minor == 1))
        for (name, value) in head.headers {
            #expect(!name.isEmpty && !name.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ":") })
            #expect(!value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
        }
        let lengths = head.headers.filter { $0.name.lowercased() == "content-length" }
        let chunked = head.headers.contains { $0.name.lowercased() == "transfer-encoding" }
        #expect(!(chunked && !lengths.isEmpty), "both Content-Length and Transfer-Encoding accepted")
        if case .length(let length) = head.framing { #expect(length >= 0) }
    }

    private func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix) {
        guard !bytes.isEmpty else { return }
        let at = random.next(below: bytes.count)
        let byte = Self.interesting[random.next(below: Self.interesting.count)]
        switch random.next(below: 5) {
        case 0: bytes[at] = byte
        case 1: bytes.insert(byte, at: at)
        case 2: bytes.remove(at: at)
        case 3:
            let end = min(bytes.count, at + 1 + random.next(below: 12))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        default: bytes.removeLast(random.next(below: min(bytes.count, 20)))
        }
    }
}

/// A small deterministic generator, so a failing round can be replayed.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
