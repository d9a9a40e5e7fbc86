import Gateway
import Metrics

/// The counts behind ``EventServerStatistics``, kept by every reactor of a
/// server and reported as they change through swift-metrics (a no-op until
/// the application bootstraps a backend such as Prometheus or OpenTelemetry).
final class ServerCounters: Sendable {
    private let state = Locked(EventServerStatistics())
    private let dimensions: [(String, String)]
    private let connections: Meter
    private let inFlight: Meter
    private let queued: Gauge
    private let durations: Timer
    private let spooled: Counter

    /// Counters whose metrics carry `dimensions` (the configuration's `metricsDimensions`).
    init(dimensions: [(String, String)] = []) {
        self.dimensions = dimensions
        connections = Meter(label: "eventgateway_connections_open", dimensions: dimensions)
        inFlight = Meter(label: "eventgateway_requests_in_flight", dimensions: dimensions)
        queued = Gauge(label: "eventgateway_worker_queue_depth", dimensions: dimensions)
        durations = Timer(label: "eventgateway_response_duration", dimensions: dimensions)
        spooled = Counter(label: "eventgateway_request_bodies_spooled", dimensions: dimensions)
    }

    /// A snapshot; the pool's depth and the body budget are read where they live.
    var snapshot: EventServerStatistics { state.withLock { $0 } }

    func connectionOpened() {
        state.withLock { $0.openConnections += 1 }
        connections.increment()
    }

    func connectionClosed() {
        state.withLock { $0.openConnections -= 1 }
        connections.decrement()
    }

    func requestStarted(queueDepth: Int?) {
        state.withLock { $0.requestsInFlight += 1 }
        inFlight.increment()
        if let queueDepth { queued.record(queueDepth) }
    }

    func requestFinished(seconds: Double) {
        state.withLock {
            $0.requestsInFlight -= 1
            $0.responses += 1
            $0.responseSeconds += seconds
        }
        inFlight.decrement()
        durations.recordNanoseconds(Int64(seconds * 1e9))
    }

    func refused(status: Int) {
        state.withLock { $0.refusals[status, default: 0] += 1 }
        Counter(label: "eventgateway_refusals", dimensions: dimensions + [("status", String(status))]).increment()
    }

    func bodySpooled() {
        state.withLock { $0.spooledBodies += 1 }
        spooled.increment()
    }
}
