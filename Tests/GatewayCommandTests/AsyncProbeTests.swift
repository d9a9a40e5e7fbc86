import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// `gateway serve --app probe` in every mode: its async routes (an async
/// application chosen per request beside the synchronous probe) answer as
/// the synchronous routes do, and an awaiting request holds no thread.
@Suite("gateway serve: the probe's async routes in every mode")
struct AsyncProbeTests {
    static let modes: [[String]] = [
        [], ["--threads", "4"], ["--reactors", "2"], ["--processes", "2"],
        ["--backend", "socket"], ["--backend", "socket", "--socket-mode", "single"],
        ["--backend", "socket", "--socket-mode", "fork"],
    ]

    @Test(arguments: modes)
    func asyncRoutesAnswerLikeTheSyncOnes(flags: [String]) throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"] + flags)
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)

        let slept = try client.get("/async/sleep?ms=20")
        #expect(slept.status == 200)
        #expect(slept.text == "slept")

        var random = SeededGenerator(seed: 23)
        let body = (0..<1_000_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let sync = try client.request("POST", "/upload", body: body)
        let async = try client.request("POST", "/async/upload", body: body)
        #expect(async.status == 200)
        // The same length and digest as the synchronous route computed.
        #expect(async.text.contains(sync.text.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
                "async: \(async.text), sync: \(sync.text)")
        let chunked = try client.request("POST", "/async/upload", headers: [("Transfer-Encoding", "chunked")],
                                         body: Array("5\r\nhello\r\n0\r\n\r\n".utf8))
        #expect(chunked.text.contains("\"length\": 5"), "\(chunked.text)")

        let stream = try client.get("/async/stream?n=5&size=3")
        #expect(stream.status == 200)
        #expect(stream.wasChunked)
        #expect(stream.text == String(repeating: "x", count: 15))
        #expect(try client.get("/hello").text == "Hello, World!")
    }

    /// A request awaiting a minute holds no thread and no loop: the same
    /// inline server answers another client meanwhile.
    @Test(arguments: [[String](), ["--processes", "1"]])
    func anAwaitingRequestHoldsNoLoop(flags: [String]) throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"] + flags)
        defer { server.stop() }
        var waiting: [TestHTTPClient] = []
        for _ in 0..<20 {
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /async/sleep?ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n")
            waiting.append(client)
        }
        #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
        #expect(try TestHTTPClient(port: server.port).get("/async/sleep?ms=1").text == "slept")
        for client in waiting { client.close() }
    }
}
