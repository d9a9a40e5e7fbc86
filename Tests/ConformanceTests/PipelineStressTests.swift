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
        var random = SeededGenerator.forFuzzing()
        try backend.serve { server in
            for connection in 0..<12 {
                let requests = (0..<Int.random(in: 1...6, using: &random)).map { _ in StressRequest.random(using: &random) }
                let halfClose = Int.random(in: 0...2, using: &random) == 0
                let context = "\(random.replay), connection \(connection)"
                try exchange(requests, halfClose: halfClose, port: server.port, random: &random, context: context)
            }
        }
    }

    private func exchange(_ requests: [StressRequest], halfClose: Bool, port: Int,
                          random: inout SeededGenerator, context: String) throws {
        let client = try TestHTTPClient(port: port, timeout: 10)
        defer { client.close() }
        var bytes = requests.flatMap(\.bytes)
        // Random pieces; now and then a pause, so that the server reads them apart.
        while !bytes.isEmpty {
            let size = min(bytes.count, Int.random(in: 1...400, using: &random))
            try client.send(Array(bytes.prefix(size)))
            bytes.removeFirst(size)
            if Int.random(in: 0...5, using: &random) == 0 { usleep(UInt32(Int.random(in: 100...2_000, using: &random))) }
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

    static func random(using random: inout SeededGenerator) -> StressRequest {
        switch Int.random(in: 0...3, using: &random) {
        case 0: return StressRequest(kind: .status([200, 201, 202, 203, 404, 418, 500][Int.random(in: 0...6, using: &random)]))
        case 1:
            let body = (0..<Int.random(in: 0...3_000, using: &random)).map { _ in UInt8(Int.random(in: 0...255, using: &random)) }
            return StressRequest(kind: .upload(body, chunked: Int.random(in: 0...1, using: &random) == 1))
        case 2: return StressRequest(kind: .stream(chunks: Int.random(in: 0...5, using: &random), size: Int.random(in: 1...700, using: &random)))
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
