import Foundation
import Gateway
import GatewayHTTP
import GatewayProbe
import GatewayTesting
import Testing

/// Mutated requests sent over the wire to both servers must get the same
/// verdict: the same refusal status, or both served with the same environ
/// (method, path, query, Content-Length) and body.
@Suite("Conformance: the two servers agree")
struct DifferentialTests {
    static let seeds = [
        "GET /environ/a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-Pad: \tv \r\n\r\n",
        "POST /environ HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /environ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nWiki\r\n5\r\npedia\r\n0\r\nT: 1\r\n\r\n",
        "GET /environ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "PUT http://h/environ?q HTTP/1.1\r\nHost: h:80\r\nContent-Length: 3\r\n\r\nabc",
    ].map { Array($0.utf8) }

    /// A verdict as a client sees it.
    enum Verdict: Equatable {
        case status(Int)
        case served([String])
        case noAnswer
    }

    @Test func mutatedRequestsGetTheSameVerdictFromBothServers() throws {
        let event = Backend.event, socket = Backend.socket(.threads(maximum: 8), "threads")
        try event.serve { eventServer in
            try socket.serve { socketServer in
                var random = RequestMutator(seed: 0xD1FF)
                var compared = 0, served = 0
                for round in 0..<400 {
                    var bytes = Self.seeds[round % Self.seeds.count]
                    for _ in 0...random.next(below: 2) { random.mutate(&bytes, truncate: false) }
                    guard isComplete(bytes) else { continue }
                    let a = verdict(for: bytes, port: eventServer.port)
                    let b = verdict(for: bytes, port: socketServer.port)
                    #expect(a == b, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription): event \(a), socket \(b)")
                    #expect(a != .noAnswer, "round \(round): no answer")
                    compared += 1
                    if case .served = a { served += 1 }
                }
                #expect(compared > 200 && served > 50, "compared \(compared), served \(served)")
            }
        }
    }

    /// The first request of `bytes` is complete (served or refused) for the parser alone.
    private func isComplete(_ bytes: [UInt8]) -> Bool {
        var parser = RequestParser(limits: .init())
        return bytes.withUnsafeBytes { all in
            var offset = 0
            while true {
                let (used, event) = parser.parse(UnsafeRawBufferPointer(rebasing: all[offset...]))
                offset += used
                switch event {
                case .needMore: return false
                case .end, .refused: return true
                case .head, .body: continue
                }
            }
        }
    }

    private func verdict(for bytes: [UInt8], port: Int) -> Verdict {
        guard let client = try? TestHTTPClient(port: port, timeout: 5) else { return .noAnswer }
        defer { client.close() }
        try? client.send(bytes)
        guard let response = try? client.readResponse() else { return .noAnswer }
        guard response.status == 200,
              let environ = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return .status(response.status) }
        return .served(["REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_LENGTH", "body_sha256"].map {
            "\($0)=\(environ[$0].map { "\($0)" } ?? "-")"
        })
    }
}
