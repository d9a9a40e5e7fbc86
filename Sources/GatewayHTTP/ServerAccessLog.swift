import Gateway

/// The servers' access log, in Common Log Format (as wsgiref's request
/// handler writes it): `127.0.0.1 - - [26/Nov/2026:16:00:00 +0000] "GET / HTTP/1.1" 200 13`.
/// A response whose client went away is logged with status 499. Both
/// servers write it when their configuration's `accessLog` is on.
///
/// ```swift
/// let log = ServerAccessLog(output: StandardErrorOutput.shared)
/// log.record(environ: environ, status: 200, bytes: 13)
/// ```
package struct ServerAccessLog: Sendable {
    package let output: any ErrorOutput

    package init(output: any ErrorOutput) {
        self.output = output
    }

    package func record(environ: Environ, status: Int, bytes: Int) {
        let host = environ["REMOTE_ADDR"] ?? "-"
        output.write("\(host) - - [\(HTTPDate.commonLogTimestamp())] \"\(environ.requestLine)\" \(status) \(bytes == 0 ? "-" : String(bytes))\n")
    }
}
