@_spi(GatewayKit) import Gateway

/// Paths a server answers itself, for the machines around it, before any
/// application sees the request: the `endpoints` of both servers'
/// configurations. Each is off until given a path.
///
/// ```swift
/// var configuration = EventServerConfiguration(host: "0.0.0.0", port: 8080)
/// configuration.endpoints.healthPath = "/healthz"     // 200 while serving, 503 once stopping
/// configuration.endpoints.metricsPath = "/metrics"
/// configuration.endpoints.metrics = { registryText() } // e.g. swift-prometheus's emit(into:)
/// ```
///
/// A health check answers `200 ok` while the server serves and `503
/// stopping` from the moment a stop begins, so that a load balancer takes
/// the instance out while it drains. GET and HEAD only (405 otherwise); the
/// query is ignored.
public struct ServerEndpoints: Sendable {
    /// Where the health check is answered (`/healthz`); nil: not at all.
    public var healthPath: String?
    /// Where the metrics are answered (`/metrics`); nil: not at all.
    public var metricsPath: String?
    /// The metrics, in Prometheus' text format, made at each request.
    public var metrics: (@Sendable () -> String)?

    /// No endpoint.
    public init() {}

    /// True when no path is set: the servers then check nothing.
    package var isEmpty: Bool { healthPath == nil && metricsPath == nil }

    /// The server's own answer to `method target`, or nil when the target
    /// is none of the endpoints (the application's, then). `stopping`: a
    /// stop has begun.
    package func answer(method: String, target: String, stopping: Bool) -> (head: ResponseHead, body: [UInt8])? {
        guard !isEmpty else { return nil }
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[..<$0]) } ?? target
        let body: [UInt8], status: ResponseStatus, type: String
        if path == healthPath {
            (status, body) = stopping ? (.serviceUnavailable, Array("stopping\n".utf8)) : (.ok, Array("ok\n".utf8))
            type = "text/plain; charset=utf-8"
        } else if path == metricsPath {
            (status, body) = (.ok, Array((metrics?() ?? "").utf8))
            type = "text/plain; version=0.0.4; charset=utf-8"
        } else {
            return nil
        }
        guard method == "GET" || method == "HEAD" else {
            let text = Array(ResponseStatus.plainBody(for: 405).utf8)
            return (head(.methodNotAllowed, type: "text/plain; charset=utf-8", length: text.count,
                         extra: [("Allow", "GET, HEAD")], head: false), text)
        }
        return (head(status, type: type, length: body.count, extra: [], head: method == "HEAD"), method == "HEAD" ? [] : body)
    }

    private func head(_ status: ResponseStatus, type: String, length: Int, extra: [(String, String)], head: Bool) -> ResponseHead {
        var added = ResponseHead.Added()
        added.contentLength = DecimalText.of(length)
        added.date = HTTPDate.now()
        return ResponseHead(
            status: status, headers: [("Content-Type", type), ("Cache-Control", "no-store")] + extra, added: added,
            framing: head ? .none : .contentLength(length))
    }
}
