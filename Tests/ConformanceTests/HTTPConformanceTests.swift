import Gateway
import GatewayProbe
import GatewayTesting
import GatewayTestSupport
import Testing

/// HTTP behaviour every backend must share.
@Suite("Conformance: HTTP")
struct HTTPConformanceTests {
    @Test(arguments: Backend.all)
    func headHasNoBodyAndKeepsTheConnectionInStep(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let head = try client.request("HEAD", "/hello")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "13")
            #expect(head.body.isEmpty)
            #expect(try client.get("/hello").text == "Hello, World!")
        }
    }

    @Test(arguments: Backend.all)
    func keepAliveAndPipelining(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            #expect(try client.get("/hello").status == 200)
            #expect(try client.get("/status?code=201").status == 201)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /status?code=202 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(try client.readResponse().status == 202)
            #expect(try client.readResponse().status == 404)
        }
    }

    /// The probe answers `/status?code=205` with a body and its length; the
    /// server sends neither (RFC 9110 §15.3.6), and the connection stays in step.
    @Test(arguments: Backend.all)
    func resetContentGoesOutWithoutContent(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let reset = try client.get("/status?code=205")
            #expect(reset.status == 205)
            #expect(reset.header("Content-Length") == "0")
            #expect(reset.body.isEmpty)
            #expect(try client.get("/hello").text == "Hello, World!")
        }
    }

    @Test(arguments: Backend.all)
    func http10ClosesAfterAStreamedBody(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.request("GET", "/stream?chunks=3&size=10", version: "HTTP/1.0")
            #expect(!response.wasChunked)
            #expect(response.body.count == 30)
            #expect(response.header("Connection")?.lowercased() == "close")
        }
    }

    /// An HTTP/1.0 request without keep-alive: the response says the
    /// connection closes (as nginx's does), and it closes.
    @Test(arguments: Backend.all)
    func http10WithoutKeepAliveSaysClose(backend: Backend) throws {
        try backend.serve { server in
            for path in ["/hello", "/status?code=204", "/error"] {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                let response = try client.request("GET", path, version: "HTTP/1.0")
                #expect(response.header("Connection")?.lowercased() == "close", "\(path)")
                #expect(client.isClosedByServer(), "\(path)")
            }
        }
    }

    @Test(arguments: Backend.all)
    func connectionCloseIsHonoured(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port, timeout: 3)
            #expect(try client.get("/hello", headers: [("Connection", "close")]).status == 200)
            #expect(client.isClosedByServer())
        }
    }

    @Test(arguments: Backend.all)
    func expectContinue(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readHead()
            #expect(interim.status == 100)
            try client.send("abc")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text.contains("\"length\": 3"))
        }
    }

    /// The interim answer comes before the application runs, on every
    /// server, even for an application that never reads the body: the
    /// client sends it and the connection stays in step. (An async
    /// application reads its body itself: `100 Continue` is its first read's,
    /// and one that never reads gets its answer without it and the
    /// connection closes: `AsyncApplicationTests`.)
    @Test(arguments: Backend.all.filter { !$0.streamsBodies })
    func expectContinueToAnAppThatIgnoresTheBody(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            try client.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(try client.readHead().status == 100)
            try client.send("hello")
            #expect(try client.readResponse().text == "Hello, World!")
            #expect(try client.get("/hello").text == "Hello, World!")
        }
    }

    /// An application that ignores a large upload (16 MB, within the body
    /// limit): the server reads and drops the rest of the body and keeps the
    /// connection, as nginx 1.22, waitress 3.0 and gunicorn 27's gthread
    /// worker do (checked with this request): the client sends all of it,
    /// reads the whole response, never a reset, and its next request on the
    /// same connection is served. When the connection closes anyway (the
    /// client said `Connection: close`), the close is a lingering one (RFC
    /// 9112 §9.6): the unread body never turns into a reset that would
    /// destroy the response. 16 MB is more than the client's send buffer
    /// and the server's receive buffer hold when the server does not read
    /// (with 3 MB, a server closing at once went unnoticed on two backends
    /// of three: the whole body had left the client before the reset).
    @Test(arguments: Backend.all)
    func aLargeUnreadBodyDoesNotResetTheResponse(backend: Backend) throws {
        try backend.serve { server in
            let body = [UInt8](repeating: 0x61, count: 16_000_000)
            let client = try TestHTTPClient(port: server.port, timeout: 10)
            try client.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
            try client.send(body)
            let response = try client.readResponse()
            #expect(response.text == "Hello, World!")
            #expect(response.header("Connection") == nil, "the body was drained: the connection stays")
            #expect(try client.get("/hello").text == "Hello, World!")

            let closing = try TestHTTPClient(port: server.port, timeout: 10)
            try closing.send("POST /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n")
            try closing.send(body)
            let last = try closing.readResponse()
            #expect(last.text == "Hello, World!")
            #expect(last.header("Connection")?.lowercased() == "close")
            #expect(try closing.readToEnd().isEmpty)
        }
    }

    /// A client that half-closes after its requests (`shutdown(SHUT_WR)`)
    /// still reads every response whole (RFC 9112 §9.6): the close-delimited
    /// 13 MB body of HTTP/1.0 (where a cut would look complete), a chunked
    /// one, and two pipelined requests, both answered.
    @Test(arguments: Backend.all)
    func aHalfCloseAfterTheRequestStillGetsWholeResponses(backend: Backend) throws {
        try backend.serve { server in
            let http10 = try TestHTTPClient(port: server.port, timeout: 20)
            try http10.send("GET /stream?chunks=200&size=65536 HTTP/1.0\r\n\r\n")
            http10.shutdownWrite()
            let whole = try http10.readResponse()
            #expect(whole.status == 200)
            #expect(whole.body.count == 200 * 65536)

            let chunked = try TestHTTPClient(port: server.port, timeout: 20)
            try chunked.send("GET /stream?chunks=100&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
            chunked.shutdownWrite()
            let streamed = try chunked.readResponse()
            #expect(streamed.wasChunked)
            #expect(streamed.body.count == 100 * 65536)

            let pipelined = try TestHTTPClient(port: server.port, timeout: 10)
            try pipelined.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /stream?chunks=2&size=3 HTTP/1.1\r\nHost: x\r\n\r\n")
            pipelined.shutdownWrite()
            #expect(try pipelined.readResponse().text == "Hello, World!")
            #expect(try pipelined.readResponse().text == "xxxxxx")
            #expect(pipelined.isClosedByServer())
        }
    }

    /// A body that arrives with its head needs no `100 Continue`, and none
    /// may come later: after the final responses, the connection carries
    /// nothing unasked (RFC 9110 §15.2).
    @Test(arguments: Backend.all)
    func noInterimResponseWhenTheBodyCameWithTheHead(backend: Backend) throws {
        try backend.serve { server in
            for body in ["3\r\nabc\r\n0\r\n\r\n", "0\r\n\r\n"] {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n\(body)"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                #expect(try client.readResponse().text == "Hello, World!")
                #expect(try client.readToEnd().isEmpty)
            }
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nabc")
            let first = try client.readHead()  // the final response first: no 100 for a body already sent
            #expect(first.status == 200)
            #expect(try client.readResponseBody(of: first).text.contains("\"length\": 3"))
            #expect(try client.readToEnd().isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func largeBodiesBothWays(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let body = [UInt8]((0..<2_000_000).map { UInt8($0 % 256) })
            let upload = try client.request("POST", "/upload", body: body)
            #expect(upload.text.contains("\"length\": 2000000"))
            let stream = try client.get("/stream?chunks=200&size=10000")
            #expect(stream.body.count == 2_000_000)
        }
    }

    @Test(arguments: Backend.inProcess)
    func closeIsAlwaysCalled(backend: Backend) throws {
        let closes = Locked(0)
        let app: Application = { environ, start in
            let failing = environ["PATH_INFO"] == "/fail"
            try start("200 OK", [("Content-Type", "text/plain")])
            var sent = false
            return StreamBody(next: {
                if sent { if failing { throw ProbeFailure() } else { return nil } }
                sent = true
                return Array("x".utf8)
            }, onClose: { closes.withLock { $0 += 1 } })
        }
        try backend.serve(app) { server in
            let client = try TestHTTPClient(port: server.port)
            #expect(try client.get("/ok").text == "x")
            #expect(try client.request("HEAD", "/ok").status == 200)
            let broken = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(throws: TestClientError.self) { try broken.get("/fail") }
            #expect(waitUntil { closes.withLock { $0 } == 3 })
        }
    }

    @Test(arguments: Backend.all)
    func concurrentClients(backend: Backend) throws {
        try backend.serve { server in
            let port = server.port
            let failures = Locked(0)
            try runConcurrently(count: 8) { index in
                let client = try TestHTTPClient(port: port)
                for round in 0..<5 {
                    let response = try client.get("/environ?client=\(index)&round=\(round)", headers: [("Connection", round == 4 ? "close" : "keep-alive")])
                    if !response.text.contains("\"QUERY_STRING\": \"client=\(index)&round=\(round)\"") {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
            #expect(failures.withLock { $0 } == 0)
        }
    }

    @Test(arguments: Backend.all)
    func multithreadAndMultiprocessTellTheTruth(backend: Backend) throws {
        try backend.serve { server in
            let json = try TestHTTPClient(port: server.port).get("/environ").text
            let expectThread = ["socket-threads", "socket-async", "event-threads", "event-reactors"].contains(backend.name)
            let expectProcess = backend.name == "socket-fork"
            #expect(json.contains("\"wsgi.multithread\": \(expectThread)"))
            #expect(json.contains("\"wsgi.multiprocess\": \(expectProcess)"))
            #expect(json.contains("\"wsgi.run_once\": false"))
        }
    }
}

struct ProbeFailure: Error {}
