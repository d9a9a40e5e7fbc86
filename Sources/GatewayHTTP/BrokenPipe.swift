#if canImport(Glibc)
import Glibc
#endif

/// SIGPIPE, ignored once per process by every server: a write to a client
/// that went away must fail with `EPIPE`, not kill the process (libevent
/// writes with writev, without `MSG_NOSIGNAL`: libevent #1065).
///
/// ```swift
/// BrokenPipe.ignore()
/// ```
package enum BrokenPipe {
    private static let ignored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Ignores SIGPIPE for the process (the first call does it).
    package static func ignore() {
        _ = ignored
    }
}
