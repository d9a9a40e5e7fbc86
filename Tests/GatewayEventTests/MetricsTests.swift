import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import Metrics
import MetricsTestKit
import Testing

/// swift-metrics is bootstrapped once per process; this suite's servers tell
/// their figures apart from other suites' by a dimension of their own.
private let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

@Suite("EventServer metrics and the stop line")
struct MetricsTests {
    /// Responses, durations, refusals by status and connections reach the
    /// metrics backend, and the log line at the stop says the same.
    @Test func figuresReachSwiftMetricsAndTheStopLine() throws {
        let metrics = testMetrics
        let tag = [("server", "metrics-test-\(UInt32.random(in: 0...UInt32.max))")]
        let log = CapturedLog()
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.metricsDimensions = tag
        configuration.logger = log.logger
        let calls = Locked(0)
        let server = BackgroundServer(try EventServer(configuration: configuration, app: { _, start in
            calls.withLock { $0 += 1 }
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["ok"]
        }))
        do {
            defer { _ = server.stop(timeout: 10) }
            let client = try TestHTTPClient(port: server.port, timeout: 5)
            for _ in 0..<3 { #expect(try client.get("/").status == 200) }
            #expect(try metrics.expectMeter("eventgateway_connections_open", tag).lastValue == 1)
            let refused = try TestHTTPClient(port: server.port, timeout: 5)
            try refused.send("GET / HTTP/1.1\r\n\r\n")  // no Host
            #expect(try refused.readResponse().status == 400)
            #expect(calls.withLock { $0 } == 3, "the refused request reached the application")
        }
        #expect(try metrics.expectTimer("eventgateway_response_duration", tag).values.count == 3)
        #expect(try metrics.expectCounter("eventgateway_refusals", tag + [("status", "400")]).totalValue == 1)
        #expect(try metrics.expectMeter("eventgateway_requests_in_flight", tag).lastValue == 0)
        #expect(try metrics.expectMeter("eventgateway_connections_open", tag).lastValue == 0)
        let stopped = log.messages.filter { $0.contains("stopped: ") }
        #expect(stopped.count == 1 && stopped[0].contains("3 responses") && stopped[0].contains("refusals [400: 1]"),
                "\(log.messages)")
    }
}
