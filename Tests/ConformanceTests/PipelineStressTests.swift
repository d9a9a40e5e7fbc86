import Foundation
import Gateway
import GatewayProbe
import GatewayTesting
import GatewayTestSupport
import Testing

/// Requests pipelined, split at random places, sent in random pieces, some
/// connections half-closed after their last request: every response must
/// answer the request it stands for, in order, on every server and mode.
/// Seeded: a failure names its seed and connection, and the same seed
/// sends the same bytes in the same pieces.
@Suite("Conformance: pipelined, split and half-closed requests")
struct PipelineStressTests {
    static let backends = Backend.all + [
        Backend(name: "event-processes", sharesMemory: false) { _, _, environment in
            try GatewayProcess(
                serve: ["--host", "127.0.0.1", "--port", "0", "--app", "probe", "--processes", "2", "--no-access-log"],
                environment: environment)
        },
    ]

    @Test(arguments: backends)
    func everyResponseAnswersItsRequest(backend: Backend) throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["STRESS_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SeededRandom(seed: seed)
        try backend.serve { server in
            for connection in 0..<12 {
                let requests = (0..<random.next(in: 1...6)).map { _ in StressRequest.random(using: &random) }
                let halfClose = random.next(in: 0...2) == 0
                let context = "seed \(seed) (STRESS_SEED=\(seed) to repeat), connection \(connection)"
                try exchange(requests, halfClose: halfClose, port: server.port, random: &random, context: context)
            }
        }
    }

    private func exchange(_ requests: [StressRequest], halfClose: Bool, port: Int,
                          random: inout SeededRandom, context: String) throws {
        let client = try TestHTTPClient(port: port, timeout: 10)
        defer { client.close() }
        var bytes = requests.flatMap(\.bytes)
        // Random pieces; now and then a pause, so that the server reads them apart.
        while !bytes.isEmpty {
            let size = min(bytes.count, random.next(in: 1...400))
            try client.send(Array(bytes.prefix(size)))
            bytes.removeFirst(size)
            if random.next(in: 0...5) == 0 { usleep(UInt32(random.next(in: 100...2_000))) }
        }
        if halfClose { client.shutdownWrite() }
        for (index, request) in requests.enumerated() {
            let response: TestResponse
            do {
                response = try client.readResponse(method: request.method)
            } catch {
                Issue.record("\(context): no response to request \(index) (\(request.summary)): \(error)")
                return
            }
            request.check(response, context: "\(context), request \(index) (\(request.summary))")
        }
        if halfClose {
            #expect(client.isClosedByServer(), "\(context): the connection stays open after a half-close")
        }
    }
}

/// One request of the stress test and what its answer must be.
private struct StressRequest {
    enum Kind {
        case status(Int)
        case upload([UInt8], chunked: Bool)
        case stream(chunks: Int, size: Int)
        case head
    }

    let kind: Kind

    static func random(using random: inout SeededRandom) -> StressRequest {
        switch random.next(in: 0...3) {
        case 0: return StressRequest(kind: .status([200, 201, 202, 203, 404, 418, 500][random.next(in: 0...6)]))
        case 1:
            let body = (0..<random.next(in: 0...3_000)).map { _ in UInt8(random.next(in: 0...255)) }
            return StressRequest(kind: .upload(body, chunked: random.next(in: 0...1) == 1))
        case 2: return StressRequest(kind: .stream(chunks: random.next(in: 0...5), size: random.next(in: 1...700)))
        default: return StressRequest(kind: .head)
        }
    }

    var method: String {
        switch kind {
        case .upload: "POST"
        case .head: "HEAD"
        default: "GET"
        }
    }

    var summary: String {
        switch kind {
        case .status(let code): "GET /status?code=\(code)"
        case .upload(let body, let chunked): "POST /upload, \(body.count) bytes\(chunked ? " chunked" : "")"
        case .stream(let chunks, let size): "GET /stream?chunks=\(chunks)&size=\(size)"
        case .head: "HEAD /hello"
        }
    }

    var bytes: [UInt8] {
        switch kind {
        case .status(let code): return Array("GET /status?code=\(code) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case .stream(let chunks, let size): return Array("GET /stream?chunks=\(chunks)&size=\(size) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case .head: return Array("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case .upload(let body, false):
            return Array("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        case .upload(let body, true):
            var bytes = Array("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            var rest = body[...]
            while !rest.isEmpty {
                let piece = rest.prefix(max(1, rest.count / 2))
                bytes += Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + [0x0D, 0x0A]
                rest = rest.dropFirst(piece.count)
            }
            return bytes + Array("0\r\n\r\n".utf8)
        }
    }

    func check(_ response: TestResponse, context: String) {
        switch kind {
        case .status(let code):
            #expect(response.status == code, "\(context)")
            #expect(response.text == "status \(code)\n", "\(context)")
        case .upload(let body, _):
            var digest = SHA256()
            digest.update(body)
            #expect(response.status == 200, "\(context)")
            #expect(response.text == "{\"length\": \(body.count), \"sha256\": \"\(digest.hexDigest())\"}", "\(context)")
        case .stream(let chunks, let size):
            #expect(response.status == 200, "\(context)")
            #expect(response.body == [UInt8](repeating: UInt8(ascii: "x"), count: chunks * size), "\(context)")
        case .head:
            #expect(response.status == 200, "\(context)")
            #expect(response.header("Content-Length") == "13", "\(context)")
            #expect(response.body.isEmpty, "\(context)")
        }
    }
}

/// SplitMix64: a small seeded generator, so that a failing run can be repeated.
private struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + Int(z % UInt64(range.count))
    }
}
