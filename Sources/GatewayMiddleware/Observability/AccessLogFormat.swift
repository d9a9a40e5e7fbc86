/// How ``accessLog(format:to:)`` writes a line.
public enum AccessLogFormat: Sendable {
    /// Common Log Format: `127.0.0.1 - alice [28/Nov/2026:07:05:18 +0000] "GET / HTTP/1.1" 200 13`.
    case common
    /// Combined Log Format: Common plus `"referer" "user-agent"`.
    case combined
    /// One JSON object a line, with the duration in milliseconds and the request id.
    case json
}
