import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How many connections the process may really hold: the configured
/// ``RequestLimits/maxConnections``, but never so many that accepting one
/// more would run out of descriptors. At the cap the listener pauses and
/// clients wait in the backlog; out of descriptors, accept fails, the
/// listener backs off for 100 ms at a time, and spooled bodies and files
/// sent by sendfile cannot open (seen with the default 20,000 connections
/// under a 20,000-descriptor limit: one prefork worker logged 39 EMFILEs).
enum ConnectionCap {
    /// `asked`, or what the descriptor limit leaves after a reserve of one
    /// in 32 (at least 16) for listeners, the loops' own descriptors, spool
    /// files and files being sent; logged when it is lower than asked.
    static func forProcess(asked: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return asked }  // RLIM_INFINITY
        let descriptors = Int(clamping: limit.rlim_cur)
        let allowed = max(1, descriptors - max(16, descriptors / 32))
        guard allowed < asked else { return asked }
        logger.notice("holding at most \(allowed) connections, not \(asked): the process may open \(descriptors) descriptors")
        return allowed
    }
}
