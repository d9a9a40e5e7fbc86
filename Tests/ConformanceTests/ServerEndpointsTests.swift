import Foundation
import Gateway
import GatewayEvent
import GatewayHTTP
import GatewayProbe
import GatewaySocket
import GatewayTesting
import GatewayTestSupport
import Testing

/// The health check and the metrics are answered by the server itself, on
/// both servers, and never reach the application.
@Suite("Conformance: the server's own endpoints")
struct ServerEndpointsTests {
    /// A server of each kind with both endpoints set; `calls` counts the application's calls.
    struct Kind: CustomTestStringConvertible, Sendable {
        let name: String
        let start: @Sendable (ServerEndpoints, @escaping Application) throws -> any GatewayServer
        var testDescription: String { name }
    }

    static let kinds: [Kind] = [
        Kind(name: "event") { endpoints, app in
            var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.endpoints = endpoints
            return try EventServer(configuration: configuration, app: app)
        },
        Kind(name: "event-threads") { endpoints, app in
            var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.endpoints = endpoints
            configuration.threads = 2
            return try EventServer(configuration: configuration, app: app)
        },
        Kind(name: "socket-threads") { endpoints, app in
            var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.endpoints = endpoints
            configuration.mode = .threads(maximum: 8)
            return try SocketServer(configuration: configuration, app: app)
        },
    ]

    static var endpoints: ServerEndpoints {
        var endpoints = ServerEndpoints()
        endpoints.healthPath = "/healthz"
        endpoints.metricsPath = "/metrics"
        endpoints.metrics = { "# TYPE requests counter\nrequests 7\n" }
        return endpoints
    }

    @Test(arguments: kinds)
    func answeredByTheServerNotTheApplication(kind: Kind) throws {
        let calls = Counter()
        let running = BackgroundServer(try kind.start(Self.endpoints) { environ, start in
            calls.increment()
            return try probeApp(environ, start)
        })
        defer { running.stop() }
        let client = try TestHTTPClient(port: running.port)
        let health = try client.get("/healthz?probe=lb")
        #expect(health.status == 200)
        #expect(health.text == "ok\n")
        #expect(health.header("Cache-Control") == "no-store")
        let head = try client.request("HEAD", "/healthz")
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "3")
        #expect(head.body.isEmpty)
        let metrics = try client.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text == "# TYPE requests counter\nrequests 7\n")
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let post = try client.request("POST", "/healthz", body: Array("x".utf8))
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET, HEAD")
        #expect(calls.value == 0, "an endpoint reached the application")
        if let event = running.server as? EventServer {  // answered, and counted as over
            #expect(waitUntil(seconds: 5) { event.statistics.requestsInFlight == 0 }, "\(event.statistics)")
        }
        // The same connection goes on to the application's paths.
        #expect(try client.get("/healthz2").status == 404)
        #expect(try client.get("/hello").text == "Hello, World!")
        #expect(calls.value == 2)
    }

    /// A stop has begun: the health check says 503 to a request arriving on
    /// a connection accepted before, while a response under way finishes.
    /// (With a worker pool: inline, the sleeping request would hold the loop itself.)
    @Test(arguments: kinds.filter { $0.name != "event" })
    func theHealthCheckFailsOnceAStopBegins(kind: Kind) throws {
        let server = try kind.start(Self.endpoints, probeApp)
        let running = BackgroundServer(server)
        defer { running.stop() }
        let busy = try TestHTTPClient(port: running.port)
        try busy.send("GET /sleep?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        let checker = try TestHTTPClient(port: running.port)
        try checker.send("GET /healthz HTTP/1.1\r\n")  // arriving, not idle: a stop waits for it
        // A kept-alive connection idle between requests: both servers close it
        // once the stop has begun, which is how the test sees that it has.
        let idle = try TestHTTPClient(port: running.port, timeout: 5)
        #expect(try idle.get("/healthz").status == 200)
        let stopper = Thread { server.shutdown() }
        stopper.start()
        #expect(idle.isClosedByServer(), "the stop did not begin")
        try checker.send("Host: x\r\n\r\n")
        let answer = try checker.readResponse()
        #expect(answer.status == 503)
        #expect(answer.text == "stopping\n")
        #expect(try busy.readResponse().text == "slept")
    }
}
