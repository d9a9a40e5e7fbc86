#if canImport(Glibc)
import Glibc
#endif

/// Polls `condition` every 10 ms for up to `seconds`; true once it holds.
/// For tests that wait on another thread or process without a fixed sleep.
///
/// ```swift
/// #expect(waitUntil { closes.value == 1 })
/// ```
public func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    for _ in 0..<Int(seconds * 100) {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
