import ArgumentParser
import GatewayEvent

/// Flags with no use where they were given (for the other backend, or
/// beside a unix socket): refused with a clear message rather than
/// silently ignored.
extension Serve {
    func refuseIgnoredFlags() throws {
        if unix == nil, unixMode != "666" || unixGroup != nil {
            throw ValidationError("--unix-mode and --unix-group apply to --unix (a socket from systemd has the socket unit's SocketMode=)")
        }
        if unix != nil, host != nil || port != nil {
            let given = [host.map { _ in "--host" }, port.map { _ in "--port" }].compactMap { $0 }.joined(separator: " and ")
            throw ValidationError("--unix cannot be combined with \(given): a unix-domain socket has no address or port; give one or the other")
        }
        switch backend {
        case .socket:
            // The flags SocketServer never reads. It does read
            // --keep-alive-timeout, --idle-timeout (each connection's socket
            // timeout), --max-header-bytes and --max-body-bytes (its parser),
            // --shutdown-timeout, and the access log and Server header flags.
            let limits = RequestLimits()
            let eventOnly: [(flag: String, given: Bool)] = [
                ("--threads", threads != 0),
                ("--reactors", reactors != 1),
                ("--processes", processes != 0),
                ("--max-connections", maxConnections != limits.maxConnections),
                ("--request-timeout", requestTimeout != limits.requestTimeout),
                ("--min-request-rate", minRequestRate != limits.minRequestRate),
                ("--max-pending", maxPending != EventServerConfiguration().maxPending),
                ("--max-queue-wait", maxQueueWait != EventServerConfiguration().maxQueueWait),
                ("--body-spool-threshold", bodySpoolThreshold != limits.bodySpoolThreshold),
                ("--max-buffered-body-bytes", maxBufferedBodyBytes != limits.maxBufferedBodyBytes),
                ("--max-spooled-body-bytes", maxSpooledBodyBytes != limits.maxSpooledBodyBytes),
            ]
            let refused = eventOnly.filter(\.given).map(\.flag)
            guard refused.isEmpty else {
                throw ValidationError("\(refused.joined(separator: ", ")) only apply to --backend event; the socket backend would ignore them")
            }
        case .event:
            guard socketMode == .threads else {
                throw ValidationError("--socket-mode only applies to --backend socket; the event backend would ignore it")
            }
        }
    }
}
