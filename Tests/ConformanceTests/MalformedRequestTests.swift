import Gateway
import GatewayTesting
import Testing

/// What the request table cannot show: a client that leaves mid-request.
@Suite("Conformance: requests cut short")
struct MalformedRequestTests {
    @Test(arguments: Backend.all)
    func requestCutShortGetsNoAnswerAndServiceGoesOn(backend: Backend) throws {
        try backend.serve { server in
            for partial in ["GET /environ HTTP/1.1\r\nHost: x\r\nX-A: ", "GET /env"] {
                let client = try TestHTTPClient(port: server.port, timeout: 5)
                try client.send(partial)
                client.shutdownWrite()
                #expect(try client.readToEnd().isEmpty, "\(backend.name): an answer to \(partial.debugDescription)")
            }
            #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
        }
    }
}
