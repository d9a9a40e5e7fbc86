import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import Metrics
import MetricsTestKit
import Testing

/// swift-metrics is bootstrapped once per process, and every test target
/// shares the process: only metrics carrying this suite's dimension reach
/// `TestMetrics`; every other server's go nowhere, as without a backend.
private let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(OnlyTagged(metrics))
    return metrics
}()

private let dimensionName = "metrics-test-server"

/// Forwards the metrics tagged with ``dimensionName`` to `inner`; drops the rest.
private struct OnlyTagged: MetricsFactory {
    let inner: TestMetrics
    init(_ inner: TestMetrics) { self.inner = inner }

    private func tagged(_ dimensions: [(String, String)]) -> Bool { dimensions.contains { $0.0 == dimensionName } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        tagged(dimensions) ? inner.makeCounter(label: label, dimensions: dimensions) : NOOPMetricsHandler.instance
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler {
        tagged(dimensions) ? inner.makeFloatingPointCounter(label: label, dimensions: dimensions) : NOOPMetricsHandler.instance
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> MeterHandler {
        tagged(dimensions) ? inner.makeMeter(label: label, dimensions: dimensions) : NOOPMetricsHandler.instance
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        tagged(dimensions) ? inner.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate) : NOOPMetricsHandler.instance
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        tagged(dimensions) ? inner.makeTimer(label: label, dimensions: dimensions) : NOOPMetricsHandler.instance
    }
    func destroyCounter(_ handler: CounterHandler) { inner.destroyCounter(handler) }
    func destroyMeter(_ handler: MeterHandler) { inner.destroyMeter(handler) }
    func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) { inner.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: RecorderHandler) { inner.destroyRecorder(handler) }
    func destroyTimer(_ handler: TimerHandler) { inner.destroyTimer(handler) }
}

@Suite("EventServer metrics and the stop line")
struct MetricsTests {
    /// Responses, durations, refusals by status and connections reach the
    /// metrics backend, and the log line at the stop says the same.
    @Test func figuresReachSwiftMetricsAndTheStopLine() throws {
        let metrics = testMetrics
        let tag = [(dimensionName, "\(UInt32.random(in: 0...UInt32.max))")]
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
