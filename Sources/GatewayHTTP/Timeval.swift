#if canImport(Glibc)
import Glibc
#endif

/// A `timeval` (libevent timers, socket timeouts) from seconds.
extension timeval {
    package init(seconds: Double) {
        self.init(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
    }
}
