import Metrics
import Prometheus

/// `--metrics-path`: the process's swift-metrics (the servers' request,
/// connection and queue figures, and any the application reports) kept in a
/// swift-prometheus registry, rendered in Prometheus' text format at each request.
enum PrometheusMetrics {
    /// Makes swift-prometheus the process's metrics backend (once, before
    /// any server starts or any worker forks) and returns the renderer.
    static func bootstrap() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return { registry.emitToString() }
    }
}
