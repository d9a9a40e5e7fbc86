import Gateway
import GatewayTesting
import Testing

/// Malformed requests: each is answered with a 4xx (or 5xx for versions and
/// codings we do not speak) or a closed connection, and the server still
/// answers a normal request afterwards.
@Suite("Conformance: malformed requests")
struct MalformedRequestTests {
    static let cases: [(String, String)] = [
        ("garbage line", "HELLO\r\n\r\n"),
        ("two spaces in request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("missing version", "GET /\r\nHost: x\r\n\r\n"),
        ("bad version", "GET / HTTP/x.y\r\nHost: x\r\n\r\n"),
        ("HTTP/2 request line", "GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
        ("control char in target", "GET /a\u{01}b HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("space in header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        ("header without colon", "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"),
        ("empty header name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"),
        ("CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("TE not chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("TE chunked then gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
        ("TE identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"),
        ("differing CLs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
        ("negative CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        ("CL with sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc"),
        ("CL not a number", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        ("CL huge", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
        ("chunk size 0x", "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n"),
        ("chunk size with sign", "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n"),
        ("chunk size not hex", "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
        ("chunk without CRLF", "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n"),
        ("bare CR in header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n"),
        ("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("huge header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"),
        ("too many headers", "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<150).map { "X-\($0): v\r\n" }.joined() + "\r\n"),
        ("huge request line", "GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("target not a path", "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("closed mid-headers", "GET / HTTP/1.1\r\nHost: x\r\nX-A: "),
    ]

    @Test(arguments: Backend.all)
    func everyMalformedRequestIsRefused(backend: Backend) throws {
        try backend.serve { server in
            var accepted: [String] = []
            for (name, request) in Self.cases {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                try? client.send(request)
                if name == "closed mid-headers" { client.shutdownWrite() }
                if let response = try? client.readResponse(), !(400...599).contains(response.status) {
                    accepted.append("\(name) -> \(response.status)")
                }
                client.close()
            }
            #expect(accepted.isEmpty, "accepted: \(accepted)")
            #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
        }
    }

    @Test(arguments: Backend.all)
    func statusesForLimits(backend: Backend) throws {
        try backend.serve { server in
            let longLine = try TestHTTPClient(port: server.port)
            try longLine.send("GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try longLine.readResponse().status == 414)
            let bigHeaders = try TestHTTPClient(port: server.port)
            try bigHeaders.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n")
            #expect(try bigHeaders.readResponse().status == 431)
            guard !backend.name.hasPrefix("event") else { return }  // evhttp 2.1 answers 400 (README)
            let version = try TestHTTPClient(port: server.port)
            try version.send("GET / HTTP/2.0\r\nHost: x\r\n\r\n")
            #expect(try version.readResponse().status == 505)
        }
    }
}
