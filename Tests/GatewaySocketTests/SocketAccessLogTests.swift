import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// `gateway serve --backend socket` writes the access log too, in the same
/// Common Log Format as the event backend; `--no-access-log` turns it off.
@Suite("Socket backend access log")
struct SocketAccessLogTests {
    @Test(.timeLimit(.minutes(1))) func eachResponseIsLogged() throws {
        let server = try GatewayProcess(["--backend", "socket", "--app", "probe"])
        #expect(try TestHTTPClient(port: server.port).get("/hello").status == 200)
        #expect(try TestHTTPClient(port: server.port).get("/nope?x=1").status == 404)
        #expect(server.stop())
        let lines = server.stderr.split(separator: "\n").filter { $0.contains("HTTP/1.1\"") }
        #expect(lines.count == 2, "\(server.stderr)")
        // Each line is written once its response is out: two connections' lines may come in either order.
        #expect(lines.allSatisfy { $0.hasPrefix("127.0.0.1 - - [") })
        #expect(lines.contains { $0.hasSuffix("\"GET /hello HTTP/1.1\" 200 13") })
        #expect(lines.contains { $0.hasSuffix("\"GET /nope?x=1 HTTP/1.1\" 404 10") })
    }

    @Test(.timeLimit(.minutes(1))) func noAccessLogTurnsItOff() throws {
        let server = try GatewayProcess(["--backend", "socket", "--no-access-log"])
        #expect(try TestHTTPClient(port: server.port).get("/").status == 200)
        #expect(server.stop())
        #expect(!server.stderr.contains("HTTP/1.1\""))
    }
}
