#if canImport(Glibc)
import Glibc
#endif

/// Seconds on a clock that only moves forward, cheap enough to read per request.
package enum MonotonicClock {
    package static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
