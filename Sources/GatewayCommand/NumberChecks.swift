import ArgumentParser

/// The bounds of `serve`'s numbers, each refused alone with the flag and
/// the value: "--threads -1: must be 0 or more". A settings-file entry
/// gets the same message (ServeSettings names the file, line and key).
extension Serve {
    func checkNumbers() throws {
        if let port { try check("--port", port, (0...65535).contains(port), "must be from 0 to 65535 (0 picks a free port)") }
        try atLeast("--threads", threads, 0)
        try atLeast("--reactors", reactors, 1)
        try atLeast("--processes", processes, 0)
        try atLeast("--max-connections", maxConnections, 1)
        try atLeast("--max-header-bytes", maxHeaderBytes, 1)
        try atLeast("--max-body-bytes", maxBodyBytes, 0)
        try atLeast("--min-request-rate", minRequestRate, 0)
        try atLeast("--max-pending", maxPending, 1)
        try atLeast("--body-spool-threshold", bodySpoolThreshold, 0)
        try atLeast("--max-buffered-body-bytes", maxBufferedBodyBytes, 0)
        try atLeast("--max-spooled-body-bytes", maxSpooledBodyBytes, 0)
        let durations: [(String, Double?)] = [
            ("--max-queue-wait", maxQueueWait), ("--request-timeout", requestTimeout), ("--keep-alive-timeout", keepAliveTimeout),
            ("--idle-timeout", idleTimeout), ("--shutdown-timeout", shutdownTimeout),
        ]
        for case let (flag, seconds?) in durations {
            try check(flag, seconds, seconds > 0, "must be more than 0 seconds")
        }
    }

    private func atLeast(_ flag: String, _ value: Int, _ minimum: Int) throws {
        try check(flag, value, value >= minimum, "must be \(minimum) or more")
    }

    private func check(_ flag: String, _ value: some Numeric, _ valid: Bool, _ rule: String) throws {
        guard valid else { throw ValidationError("\(flag) \(Self.text(of: value)): \(rule)") }
    }

    /// A number as it was likely typed: -1 rather than -1.0.
    private static func text(of value: some Numeric) -> String {
        if let double = value as? Double, double == double.rounded(), abs(double) < 1e15 { return "\(Int(double))" }
        return "\(value)"
    }
}
