#if canImport(Glibc)
import Glibc
#endif

/// The access log, in Common Log Format (as wsgiref's request handler writes it):
/// `127.0.0.1 - - [26/Nov/2026:16:00:00 +0000] "GET / HTTP/1.1" 200 13`.
/// A response whose client went away is logged with status 499. Both
/// servers write it.
package struct AccessLog: Sendable {
    package let output: any ErrorOutput

    package init(output: any ErrorOutput) {
        self.output = output
    }

    package func record(environ: Environ, status: Int, bytes: Int) {
        let host = environ["REMOTE_ADDR"] ?? "-"
        output.write("\(host) - - [\(AccessLog.timestamp())] \"\(environ.requestLine)\" \(status) \(bytes == 0 ? "-" : String(bytes))\n")
    }

    /// The time inside the brackets of a Common Log Format line, in UTC:
    /// `28/Nov/2026:07:05:18 +0000`.
    package static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
