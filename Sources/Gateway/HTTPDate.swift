#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The dates servers and middleware write, in UTC: the `Date` header's
/// IMF-fixdate (RFC 9110 §5.6.7), formatted at most once a second, and the
/// timestamp of a Common Log Format line.
///
/// ```swift
/// HTTPDate.now()                        // "Sun, 06 Nov 1994 08:49:37 GMT"
/// HTTPDate.commonLogTimestamp(784111777) // "06/Nov/1994:08:49:37 +0000"
/// ```
package enum HTTPDate {
    private static let cache = Locked<(second: Int, text: String)>((-1, ""))

    /// Now, as `Sun, 06 Nov 1994 08:49:37 GMT`.
    package static func now() -> String {
        let second = time(nil)
        return cache.withLock { cached in
            if cached.second != second {
                cached = (second, format(second))
            }
            return cached.text
        }
    }

    /// A moment in seconds since the epoch, as IMF-fixdate.
    package static func format(_ seconds: Int) -> String {
        let parts = utcParts(seconds)
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// A moment (by default now) as the bracketed time of a Common Log
    /// Format line: `28/Nov/2026:07:05:18 +0000`.
    package static func commonLogTimestamp(_ seconds: Int = time(nil)) -> String {
        let parts = utcParts(seconds)
        return "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func utcParts(_ seconds: Int) -> tm {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
