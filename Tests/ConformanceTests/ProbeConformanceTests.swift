import Gateway
import GatewayProbe
import GatewayTesting
import Testing

/// The probe routes, on every backend.
@Suite("Conformance: probe routes")
struct ProbeConformanceTests {
    @Test(arguments: Backend.all)
    func hello(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/hello")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.header("Content-Length") == "13")
            #expect(response.text == "Hello, World!")
        }
    }

    @Test(arguments: Backend.all)
    func environReportsTheRequest(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.request(
                "POST", "/environ/x%20y?q=1", headers: [("Content-Type", "text/plain"), ("X-Dup", "1"), ("X-Dup", "2")],
                body: Array("abc".utf8))
            let json = response.text
            #expect(response.header("Content-Type") == "application/json")
            #expect(json.contains("\"PATH_INFO\": \"/environ/x y\""))
            #expect(json.contains("\"QUERY_STRING\": \"q=1\""))
            #expect(json.contains("\"CONTENT_LENGTH\": \"3\""))
            #expect(json.contains("\"CONTENT_TYPE\": \"text/plain\""))
            #expect(json.contains("\"HTTP_X_DUP\": \"1, 2\""))
            #expect(json.contains("\"wsgi.version\": [1, 0]"))
            #expect(json.contains("\"wsgi.input_terminated\": true"))
            #expect(json.contains("\"body_length\": 3"))
            #expect(json.contains("\"body_sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""))
        }
    }

    @Test(arguments: Backend.all)
    func chunkedUploadIsReadToTheEnd(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "{\"length\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}")
        }
    }

    @Test(arguments: Backend.all)
    func uploadNeedsPost(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/upload")
            #expect(response.status == 405)
            #expect(response.header("Allow") == "POST")
        }
    }

    @Test(arguments: Backend.all)
    func streamSendsSeparateChunks(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/stream?chunks=5&size=1000")
            #expect(response.header("Content-Length") == nil)
            #expect(response.wasChunked)
            #expect(response.chunkSizes == [1000, 1000, 1000, 1000, 1000])
            #expect(response.body == [UInt8](repeating: UInt8(ascii: "x"), count: 5000))
        }
    }

    @Test(arguments: Backend.all)
    func writeCallable(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/write?chunks=3")
            #expect(response.text == "line 0\nline 1\nline 2\n")
            #expect(response.header("Content-Length") == nil)
        }
    }

    @Test(arguments: Backend.all)
    func errorBeforeStartIs500WithoutTheMessage(backend: Backend) throws {
        let errors = CapturedErrors()
        try backend.serve(errors: errors) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.get("/error")
            #expect(response.status == 500)
            #expect(!response.text.contains("probe-error-marker"))
            #expect(try client.get("/hello").status == 200)
        }
        if backend.sharesMemory {  // a forked worker's stderr capture stays in the worker
            #expect(errors.text.contains("probe-error-marker"))
            #expect(errors.text.contains("GET /error HTTP/1.1"))
        }
    }

    @Test(arguments: Backend.all)
    func errorAfterStartCutsTheResponse(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /error-after-start HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(throws: TestClientError.self) { _ = try client.readResponseBody(of: head) }
            #expect(try TestHTTPClient(port: server.port).get("/hello").status == 200)
        }
    }

    @Test(arguments: Backend.all)
    func fileRoute(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.get("/file?size=1000000")
            #expect(response.header("Content-Length") == "1000000")
            #expect(response.body.count == 1_000_000)
            #expect(response.body.allSatisfy { $0 == UInt8(ascii: "f") })
            let empty = try client.get("/file?size=0")
            #expect(empty.header("Content-Length") == "0")
            #expect(empty.body.isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func statusRoute(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port)
            for code in [200, 201, 404, 418, 503] {
                let response = try client.get("/status?code=\(code)")
                #expect(response.status == code)
                #expect(response.reason == ResponseStatus.reasonPhrase(for: code))
                #expect(response.text == "status \(code)\n")
            }
            for code in [204, 304] {
                let response = try client.get("/status?code=\(code)")
                #expect(response.status == code)
                #expect(response.header("Content-Length") == nil)
            }
            #expect(try client.get("/hello").text == "Hello, World!")
        }
    }

    @Test(arguments: Backend.all)
    func headersRoute(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/headers?n=50")
            #expect(response.header("X-Test-0") == "value-0")
            #expect(response.header("X-Test-49") == "value-49")
            #expect(response.header("X-Test-50") == nil)
            #expect(response.headerValues("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"])
            #expect(response.text == "headers\n")
        }
    }

    @Test(arguments: Backend.all)
    func unknownPathIs404(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/nope")
            #expect(response.status == 404)
            #expect(response.text == "not found\n")
        }
    }

    @Test(arguments: Backend.all)
    func sleepRoute(backend: Backend) throws {
        try backend.serve { server in
            let response = try TestHTTPClient(port: server.port).get("/sleep?ms=10")
            #expect(response.text == "slept")
        }
    }
}
