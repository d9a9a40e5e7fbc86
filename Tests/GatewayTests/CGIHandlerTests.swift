import Gateway
import GatewayProbe
import GatewayTesting
import Testing

@Suite("CGIHandler (wsgiref.handlers)")
struct CGIHandlerTests {
    private func runCGI(_ app: Application, environment: [String: String], body: String = "") -> String {
        var output: [UInt8] = []
        let handler = CGIHandler(
            environment: environment, input: RequestInput(Array(body.utf8)),
            output: { output += $0 }, errors: CapturedErrors())
        handler.run(app)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func writesAStatusLineHeadersAndBody() {
        let out = runCGI(probeApp, environment: ["REQUEST_METHOD": "GET", "PATH_INFO": "/hello",
                                                 "SERVER_NAME": "x", "SERVER_PORT": "80"])
        #expect(out.hasPrefix("Status: 200 OK\r\n"))
        #expect(out.contains("Content-Length: 13\r\n"))
        #expect(out.hasSuffix("\r\n\r\nHello, World!"))
    }

    /// An async application (here the probe's choice of one) runs as a
    /// CGI program too: the program's thread waits for its steps.
    @Test func runsAnAsyncApplication() {
        var output: [UInt8] = []
        let handler = CGIHandler(
            environment: ["REQUEST_METHOD": "POST", "PATH_INFO": "/async/upload", "CONTENT_LENGTH": "5"],
            input: RequestInput(Array("hello".utf8)), output: { output += $0 }, errors: CapturedErrors())
        handler.run(probe)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n"), "\(text)")
        #expect(text.contains("\"length\": 5"), "\(text)")
        #expect(text.contains("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"), "\(text)")
    }

    /// The web server adds Date and Server (RFC 3875 §6.3): the script's
    /// output has neither of its own, only the application's.
    @Test func noDateOrServerHeaderOfItsOwn() {
        let plain = runCGI(probeApp, environment: ["REQUEST_METHOD": "GET", "PATH_INFO": "/hello"])
        #expect(plain == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!")
        let own = runCGI({ _, start in
            try start("200 OK", [("Server", "mine"), ("Date", "Thu, 01 Jan 1970 00:00:00 GMT")])
            return ["x"]
        }, environment: ["REQUEST_METHOD": "GET"])
        #expect(own == "Status: 200 OK\r\nServer: mine\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nContent-Length: 1\r\n\r\nx")
    }

    @Test func environHasCGIFlagsAndTheBody() {
        let out = runCGI({ environ, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            let body = String(decoding: try environ.input.read(), as: UTF8.self)
            return ["\(environ.runOnce) \(environ.multiprocess) \(environ.multithread) \(environ.urlScheme) \(body)"]
        }, environment: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "4", "HTTPS": "on"], body: "data")
        #expect(out.hasSuffix("true true false https data"))
    }

    @Test func streamsAreNotChunked() {
        let out = runCGI({ _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return StreamBody(["a", "b"])
        }, environment: ["REQUEST_METHOD": "GET"])
        #expect(out.hasSuffix("\r\n\r\nab"))
        #expect(!out.contains("Transfer-Encoding"))
    }

    @Test func errorsBecomeA500() {
        let out = runCGI(probeApp, environment: ["REQUEST_METHOD": "GET", "PATH_INFO": "/error"])
        #expect(out.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(!out.contains("probe-error-marker"))
    }
}
