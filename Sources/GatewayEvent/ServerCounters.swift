import Gateway
import Metrics
import Synchronization

/// The counts behind ``EventServerStatistics``, kept by every reactor of a
/// server and reported as they change through swift-metrics (a no-op until
/// the application bootstraps a backend such as Prometheus or OpenTelemetry).
final class ServerCounters: Sendable {
    // Atomics, not a lock: each request touches them two or three times,
    // and an uncontended mutex costs a few hundred instructions a request.
    private let openConnections = Atomic<Int>(0)
    private let requestsInFlight = Atomic<Int>(0)
    private let responses = Atomic<Int>(0)
    private let responseNanoseconds = Atomic<Int>(0)
    private let spooledBodies = Atomic<Int>(0)
    /// Refusals by status: rare, so a lock is fine.
    private let refusals = Locked([Int: Int]())
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

    /// A snapshot (each figure read on its own); the pool's depth and the
    /// body budget are read where they live.
    var snapshot: EventServerStatistics {
        var statistics = EventServerStatistics()
        statistics.openConnections = openConnections.load(ordering: .relaxed)
        statistics.requestsInFlight = requestsInFlight.load(ordering: .relaxed)
        statistics.responses = responses.load(ordering: .relaxed)
        statistics.responseSeconds = Double(responseNanoseconds.load(ordering: .relaxed)) / 1e9
        statistics.spooledBodies = spooledBodies.load(ordering: .relaxed)
        statistics.refusals = refusals.withLock { $0 }
        return statistics
    }

    func connectionOpened() {
        openConnections.add(1, ordering: .relaxed)
        connections.increment()
    }

    func connectionClosed() {
        openConnections.subtract(1, ordering: .relaxed)
        connections.decrement()
    }

    func requestStarted(queueDepth: Int?) {
        requestsInFlight.add(1, ordering: .relaxed)
        inFlight.increment()
        if let queueDepth { queued.record(queueDepth) }
    }

    func requestFinished(seconds: Double) {
        let nanoseconds = Int(seconds * 1e9)
        requestsInFlight.subtract(1, ordering: .relaxed)
        responses.add(1, ordering: .relaxed)
        responseNanoseconds.add(nanoseconds, ordering: .relaxed)
        inFlight.decrement()
        durations.recordNanoseconds(Int64(nanoseconds))
    }

    func refused(status: Int) {
        refusals.withLock { $0[status, default: 0] += 1 }
        Counter(label: "eventgateway_refusals", dimensions: dimensions + [("status", String(status))]).increment()
    }

    func bodySpooled() {
        spooledBodies.add(1, ordering: .relaxed)
        spooled.increment()
    }
}
