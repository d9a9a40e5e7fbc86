import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("EventServer: responses on the wire")
struct ResponseTests {
    @Test func singleChunkHasContentLengthAndNoDefaultContentType() throws {
        try withEventServer(app: { _, start in
            try start("200 OK", [("X-App", "1")])
            return ["Hello, World!"]
        }) { server in
            let response = try TestHTTPClient(port: server.port).get("/")
            #expect(response.status == 200)
            #expect(response.reason == "OK")
            #expect(response.header("Content-Length") == "13")
            #expect(!response.wasChunked)
            #expect(response.text == "Hello, World!")
            #expect(response.header("Content-Type") == nil)  // evhttp's text/html default is off
            #expect(response.header("Server") == "EventGateway/0.1")
            #expect(response.header("Date")?.hasSuffix("GMT") == true)
        }
    }

    @Test func statusAndHeadersGoOutAsGiven() throws {
        try withEventServer(app: { _, start in
            try start("201 Made It", [("Set-Cookie", "a=1; Path=/"), ("X-Mid", "m"), ("Set-Cookie", "b=2; Path=/")])
            return ["x"]
        }) { server in
            let response = try TestHTTPClient(port: server.port).get("/")
            #expect(response.status == 201)
            #expect(response.reason == "Made It")
            #expect(response.headerValues("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"])
            let names = response.headers.map(\.0)
            #expect(names.firstIndex(of: "X-Mid")! > names.firstIndex(of: "Set-Cookie")!)
        }
    }

    @Test func streamIsChunkedOnHTTP11() throws {
        try withEventServer(app: { _, start in
            try start("200 OK", [])
            return StreamBody(["one", "two", "", "three"])
        }) { server in
            let response = try TestHTTPClient(port: server.port).get("/")
            #expect(response.wasChunked)
            #expect(response.chunkSizes == [3, 3, 5])
            #expect(response.text == "onetwothree")
        }
    }

    @Test func streamToHTTP10IsCloseDelimited() throws {
        try withEventServer(app: { _, start in
            try start("200 OK", [])
            return StreamBody(["one", "two"])
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.request("GET", "/", headers: [("Connection", "keep-alive")], version: "HTTP/1.0")
            #expect(!response.wasChunked)
            #expect(response.header("Content-Length") == nil)
            #expect(response.header("Connection")?.lowercased() == "close")
            #expect(response.text == "onetwo")
        }
    }

    @Test func headGetsHeadersWithoutBody() throws {
        try withEventServer(app: { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["Hello, World!"]
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let head = try client.request("HEAD", "/")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "13")
            #expect(head.body.isEmpty)
            // The connection is still in step: no stray body bytes before the next response.
            let next = try client.get("/")
            #expect(next.text == "Hello, World!")
        }
    }

    @Test(arguments: [204, 304])
    func noBodyStatuses(code: Int) throws {
        try withEventServer(app: { _, start in
            try start("\(code) \(ResponseStatus.reasonPhrase(for: code))", [])
            return ["must not be sent"]
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.get("/")
            #expect(response.status == code)
            #expect(response.header("Content-Length") == nil)
            #expect(response.header("Transfer-Encoding") == nil)
            let next = try client.get("/")
            #expect(next.status == code)
        }
    }

    @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            let first = try client.get("/one")
            let second = try client.get("/two")
            #expect(first.environ["PATH_INFO"] == "/one")
            #expect(second.environ["PATH_INFO"] == "/two")
            #expect(first.environ["REMOTE_PORT"] == second.environ["REMOTE_PORT"])
        }
    }

    /// The server reuses a finished response's record for later requests:
    /// nothing of one request's response reaches the next, and a
    /// start_response kept from an earlier request is refused, not obeyed.
    @Test func aKeptStartResponseCannotTouchALaterRequest() throws {
        let kept = Locked<StartResponse?>(nil)
        let keptWrite = Locked<ResponseWriter?>(nil)
        let staleError = Locked<GatewayError?>(nil)
        let staleWriteError = Locked<GatewayError?>(nil)
        try withEventServer(app: { environ, start in
            switch environ["PATH_INFO"] {
            case "/keep":
                kept.withLock { $0 = start }
                let write = try start("200 OK", [("X-First", "1")])
                keptWrite.withLock { $0 = write }
                return StreamBody(["streamed"])
            default:
                do {
                    try kept.withLock { $0 }?("418 Stale", [("X-Stale", "1")])
                } catch let error as GatewayError {
                    staleError.withLock { $0 = error }
                }
                do {
                    try keptWrite.withLock { $0 }?("stale bytes")
                } catch let error as GatewayError {
                    staleWriteError.withLock { $0 = error }
                }
                try start("200 OK", [("Content-Type", "text/plain")])
                return ["fresh"]
            }
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let first = try client.get("/keep")
            #expect(first.text == "streamed")
            #expect(first.header("X-First") == "1")
            for _ in 0..<3 {
                let later = try client.get("/later")
                #expect(later.status == 200)
                #expect(later.text == "fresh")
                #expect(later.header("X-First") == nil)
                #expect(later.header("X-Stale") == nil)
                #expect(!later.wasChunked)
            }
            #expect(staleError.withLock { $0 } == .responseOver)
            #expect(staleWriteError.withLock { $0 } == .responseOver)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().environ["PATH_INFO"] == "/a")
            #expect(try client.readResponse().environ["PATH_INFO"] == "/b")
        }
    }

    @Test func connectionCloseInAListIsHonoured() throws {
        try withEventServer(app: environApp) { server in
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            let response = try client.get("/", headers: [("Connection", "keep-alive, close")])
            #expect(response.status == 200)
            #expect(client.isClosedByServer())
        }
    }

    @Test func applicationErrorGives500AndTheServerGoesOn() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "secret-marker" } }
        let errors = CapturedErrors()
        try withEventServer(errors: errors, app: { environ, start in
            if environ["PATH_INFO"] == "/fail" { throw Broken() }
            try start("200 OK", [])
            return ["fine"]
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let failed = try client.get("/fail")
            #expect(failed.status == 500)
            #expect(!failed.text.contains("secret-marker"))
            #expect(try client.get("/ok").text == "fine")
            #expect(errors.text.contains("GET /fail HTTP/1.1"))
            #expect(errors.text.contains("secret-marker"))
        }
    }

    @Test func errorAfterHeadersCutsTheConnection() throws {
        let closes = Counter()
        try withEventServer(app: { environ, start in
            try start("200 OK", [])
            if environ["PATH_INFO"] == "/ok" { return ["fine"] }
            var step = 0
            return StreamBody(next: {
                step += 1
                if step == 1 { return Array("partial".utf8) }
                struct Late: Error {}
                throw Late()
            }, onClose: { closes.increment() })
        }) { server in
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            #expect(throws: TestClientError.self) { try client.get("/") }
            #expect(waitUntil { closes.value == 1 })
            // Others are still served.
            let other = try TestHTTPClient(port: server.port)
            #expect(try other.get("/ok").text == "fine")
        }
    }

    @Test func writeCallableStreamsAheadOfTheBody() throws {
        try withEventServer(app: { _, start in
            let write = try start("200 OK", [("Content-Type", "text/plain")])
            for index in 0..<3 { try write("line \(index)\n") }
            return [String]()
        }) { server in
            let response = try TestHTTPClient(port: server.port).get("/")
            #expect(response.text == "line 0\nline 1\nline 2\n")
            #expect(response.header("Content-Length") == nil)
        }
    }

    @Test func fileWrapperIsSentWholeWithItsLength() throws {
        let path = "/tmp/eventgateway-test-\(UInt32.random(in: 0...UInt32.max))"
        let content = [UInt8]((0..<300_000).map { UInt8($0 % 251) })
        try writeFile(path, content)
        defer { unlink(path) }
        try withEventServer(app: { _, start in
            try start("200 OK", [("Content-Type", "application/octet-stream")])
            return try FileWrapper(path: path)
        }) { server in
            let client = try TestHTTPClient(port: server.port)
            let response = try client.get("/")
            #expect(response.header("Content-Length") == "300000")
            #expect(response.body == content)
            #expect(try client.get("/").body == content)
        }
    }
}
