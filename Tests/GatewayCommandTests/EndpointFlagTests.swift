import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// `--health-path` and `--metrics-path`: answered by `gateway serve` itself,
/// the metrics being the servers' own swift-metrics in Prometheus' format.
@Suite("gateway serve --health-path, --metrics-path")
struct EndpointFlagTests {
    @Test(arguments: [["--backend", "event"], ["--backend", "socket"]])
    func healthAndMetricsAreTheServers(backend: [String]) throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log", "--health-path", "/healthz",
                                         "--metrics-path", "/metrics"] + backend)
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        let health = try client.get("/healthz")
        #expect(health.status == 200)
        #expect(health.text == "ok\n")
        #expect(try client.get("/hello").text == "Hello, World!")
        let metrics = try client.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        if backend.last == "event" {  // the event server reports through swift-metrics
            #expect(metrics.text.contains("# TYPE eventgateway_response_duration"), "\(metrics.text)")
            #expect(metrics.text.contains("eventgateway_connections_open"), "\(metrics.text)")
        }
    }

    @Test func aPathMustBeginWithASlash() throws {
        let (status, errors) = try GatewayProcess.refusal(["--port", "0", "--health-path", "healthz"])
        #expect(status == 64)
        #expect(errors.contains("--health-path must be a path beginning with /, not 'healthz'"), "\(errors)")
    }

    @Test func theEndpointsAreOffByDefault() throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"])
        defer { server.stop() }
        #expect(try TestHTTPClient(port: server.port).get("/healthz").status == 404)
    }
}
