/// What an ``EventServer`` is doing and has done, read at any time from any
/// thread (``EventServer/statistics``); the same figures go to swift-metrics
/// (`ServerCounters`) and to the log when the server stops.
///
/// ```swift
/// let now = server.statistics
/// print(now.queueDepth, now.requestsInFlight, now.refusals[503] ?? 0)
/// ```
public struct EventServerStatistics: Sendable, CustomStringConvertible {
    /// Connections open now, all reactors together.
    public var openConnections = 0
    /// Requests handed to the application whose response is not done yet.
    public var requestsInFlight = 0
    /// Requests waiting for a worker (0 without a pool).
    public var queueDepth = 0
    /// Responses finished (written, or their client gone).
    public var responses = 0
    /// Their durations added up, from the request's dispatch to its end, in seconds.
    public var responseSeconds = 0.0
    /// Requests the server answered itself with a refusal, by status (400, 413, 503, ...).
    public var refusals: [Int: Int] = [:]
    /// Bytes of request bodies held in memory now, under the budget
    /// (`RequestLimits/maxBufferedBodyBytes`), and the most held at once.
    public var bufferedBodyBytes = 0
    /// The most bytes of request bodies held in memory at once since the server started.
    public var peakBufferedBodyBytes = 0
    /// Request bodies spooled (to disk past the threshold).
    public var spooledBodies = 0

    /// All figures zero, as before the first connection.
    public init() {}

    /// The figures in one line, as the server logs them when it stops.
    public var description: String {
        let refused = refusals.keys.sorted().map { "\($0): \(refusals[$0]!)" }.joined(separator: ", ")
        let mean = responses > 0 ? responseSeconds / Double(responses) * 1000 : 0
        return "\(responses) responses (mean \((mean * 10).rounded() / 10) ms), refusals [\(refused)], "
            + "\(requestsInFlight) in flight, \(queueDepth) queued, \(openConnections) connections open, "
            + "\(spooledBodies) bodies spooled, body memory peak \(peakBufferedBodyBytes) bytes"
    }
}
