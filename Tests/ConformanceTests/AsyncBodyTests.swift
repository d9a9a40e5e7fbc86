import Foundation
import Gateway
import GatewayEvent
import GatewaySocket
import GatewayTesting
import Testing

/// A streamed body's harder turns, on both servers alike: an application
/// that reads late, that awaits between reads while the stream is full, a
/// client that half-closes after its whole body.
@Suite("Conformance: async applications' bodies")
struct AsyncBodyTests {
    enum Server: String, CaseIterable, CustomTestStringConvertible {
        case event, socket
        var testDescription: String { rawValue }

        /// Serves `app` with request and idle timeouts of `timeout` seconds.
        func serve(_ app: @escaping AsyncApplication, timeout: Double = 10) throws -> BackgroundServer {
            switch self {
            case .event:
                var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
                configuration.limits.requestTimeout = timeout
                configuration.limits.idleTimeout = timeout
                configuration.errors = CapturedErrors()
                return BackgroundServer(try EventServer(configuration: configuration, app: app))
            case .socket:
                var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
                configuration.mode = .threads(maximum: 8)
                configuration.limits.idleTimeout = timeout
                configuration.errors = CapturedErrors()
                return BackgroundServer(try SocketServer(configuration: configuration, app: app))
            }
        }
    }

    /// Counts the body's bytes, reading them as the application says.
    static func counting(delay: Duration = .zero, pauseEachChunk: Bool = false) -> AsyncApplication {
        { environ, startResponse in
            if delay > .zero { try await Task.sleep(for: delay) }
            var total = 0
            for try await chunk in environ.input.chunks {
                total += chunk.count
                if pauseEachChunk {
                    await Task.yield()
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["\(total)"]
        }
    }

    /// The client waits for `100 Continue`; the application reads only
    /// after longer than the timeouts: the wait is the application's, so
    /// the client gets its 100, then the answer, never a 408.
    @Test(arguments: Server.allCases)
    func aLateFirstReadGetsContinueNotATimeout(server: Server) throws {
        let running = try server.serve(Self.counting(delay: .milliseconds(2500)), timeout: 1)
        defer { running.stop() }
        let client = try TestHTTPClient(port: running.port, timeout: 20)
        try client.send("POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readHead().status == 100)
        try client.send("hello")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "5")
    }

    /// An application that awaits after each chunk while the stream is
    /// full: each read's demand must reach the server, or the upload stalls.
    @Test(arguments: Server.allCases)
    func readsWithAwaitsBetweenThemTakeTheWholeBody(server: Server) throws {
        let running = try server.serve(Self.counting(pauseEachChunk: true))
        defer { running.stop() }
        let client = try TestHTTPClient(port: running.port, timeout: 30)
        let body = [UInt8](repeating: 0x61, count: 2_000_000)
        let response = try client.request("POST", "/up", body: body)
        #expect(response.status == 200)
        #expect(response.text == "2000000")
    }

    /// The client sends a body larger than the stream holds, then closes
    /// its side: the body is whole, the answer still comes.
    @Test(arguments: Server.allCases, [300_000, 600_000])
    func aHalfCloseAfterAWholeBodyStillGetsTheAnswer(server: Server, size: Int) throws {
        let running = try server.serve(Self.counting(delay: .milliseconds(300)))
        defer { running.stop() }
        let client = try TestHTTPClient(port: running.port, timeout: 20)
        let body = [UInt8](repeating: 0x62, count: size)
        try client.send(Array("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        client.shutdownWrite()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "\(size)")
    }
}
