#if canImport(Glibc)
import Glibc
#endif

/// Seconds on a clock that only moves forward (`CLOCK_MONOTONIC`), for
/// deadlines and durations; never the time of day.
///
/// ```swift
/// let started = MonotonicClock.preciseSeconds()
/// ...
/// let milliseconds = (MonotonicClock.preciseSeconds() - started) * 1000
/// ```
package enum MonotonicClock {
    /// The coarse clock (a few milliseconds' resolution), cheap enough to
    /// read several times per request: the servers' deadlines and timings.
    @inlinable
    package static func seconds() -> Double {
        read(CLOCK_MONOTONIC_COARSE)
    }

    /// The precise clock, for durations that are reported (the access
    /// log's `duration_ms`).
    @inlinable
    package static func preciseSeconds() -> Double {
        read(CLOCK_MONOTONIC)
    }

    @inlinable @inline(__always)
    static func read(_ clock: clockid_t) -> Double {
        var now = timespec()
        clock_gettime(clock, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
