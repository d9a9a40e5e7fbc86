import Gateway
import GatewayEvent
import GatewaySocket
import GatewayTesting
import Testing

/// `serverSoftware` on both servers: the `Server` header of every response,
/// the refusals' included, or none at all when it is nil.
@Suite("Conformance: the Server header")
struct ServerHeaderTests {
    private static let app: Application = { _, start in
        try start("200 OK", [("Content-Type", "text/plain")])
        return ["hi"]
    }

    private static func servers(serverSoftware: String?) throws -> [BackgroundServer] {
        var event = EventServerConfiguration(host: "127.0.0.1", port: 0)
        event.serverSoftware = serverSoftware
        var socket = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        socket.mode = .threads(maximum: 8)
        socket.serverSoftware = serverSoftware
        return [BackgroundServer(try EventServer(configuration: event, app: app)),
                BackgroundServer(try SocketServer(configuration: socket, app: app))]
    }

    @Test(arguments: [String?.some("Probe/1.0"), nil])
    func everyResponseCarriesTheConfiguredServerHeader(serverSoftware: String?) throws {
        for server in try Self.servers(serverSoftware: serverSoftware) {
            defer { server.stop() }
            let served = try TestHTTPClient(port: server.port).get("/")
            #expect(served.status == 200)
            #expect(served.header("Server") == serverSoftware)
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost : x\r\n\r\n")
            let refused = try client.readResponse()
            #expect(refused.status == 400)
            #expect(refused.header("Server") == serverSoftware)
        }
    }
}
