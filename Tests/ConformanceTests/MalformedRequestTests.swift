import Gateway
import GatewayTesting
import Testing

/// What the request table cannot show: a client that leaves mid-request.
@Suite("Conformance: requests cut short")
struct MalformedRequestTests {
    @Test(arguments: Backend.all)
    func requestCutShortGetsNoAnswerAndServiceGoesOn(backend: Backend) throws {
        try backend.serve { server in
            for partial in [
                "GET /environ HTTP/1.1\r\nHost: x\r\nX-A: ", "GET /env",
                "POST /environ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
                "POST /environ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            ] {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                try client.send(partial)
                client.shutdownWrite()
                #expect(try client.readToEnd().isEmpty, "\(backend.name): an answer to \(partial.debugDescription)")
            }
            #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
        }
    }
}

/// A refusal among pipelined requests comes in its turn.
@Suite("Conformance: a refusal in a pipeline")
struct PipelinedRefusalTests {
    @Test(arguments: Backend.all)
    func theRequestsBeforeAreServedThenTheRefusalThenTheConnectionCloses(backend: Backend) throws {
        try backend.serve { server in
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n"
                + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "Hello, World!")
            #expect(try client.readResponse().text.contains("\"length\": 3"))
            let refusal = try client.readResponse()
            #expect(refusal.status == 400)
            #expect(refusal.text == "400 Bad Request\n")
            #expect(client.isClosedByServer(), "\(backend.name): a request after the refusal was read")
        }
    }
}
