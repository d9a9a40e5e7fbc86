#if canImport(Glibc)
import Glibc
#endif

/// Polls `read` every 50 ms until it returns the same positive value
/// `polls` times in a row (10: half a second without change), for up to
/// `seconds`; that value, or nil if it never settled. For a test that waits
/// for another process to come to rest, such as a server that stopped
/// pulling a body its client does not read, rather than sleeping for a
/// guess of how long that takes.
package func settledValue(seconds: Double = 30, polls: Int = 10, _ read: () -> Int) -> Int? {
    var last = read()
    var same = 0
    for _ in 0..<Int(seconds * 20) {
        usleep(50_000)
        let now = read()
        same = now == last && now > 0 ? same + 1 : 0
        last = now
        if same >= polls { return now }
    }
    return nil
}
