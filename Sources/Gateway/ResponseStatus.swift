/// A response status: code and reason phrase, parsed from PEP 3333's
/// status line such as `"404 Not Found"`.
///
/// ```swift
/// let code = 404
/// try startResponse("\(code) \(ResponseStatus.reasonPhrase(for: code))", headers)
/// let status = try ResponseStatus(parsing: "404 Not Found")   // code 404, reason "Not Found"
/// ```
public struct ResponseStatus: Sendable, Equatable {
    /// The three-digit code, e.g. `404`.
    public var code: Int
    /// The reason phrase, e.g. `"Not Found"`.
    public var reason: String

    /// A status from its parts, unchecked.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Parses and checks a status line: three digits from 200 to 599, one
    /// space, a reason of printable characters.
    public init(parsing line: String) throws {
        // Nearly every response: one comparison of two small strings.
        if line == "200 OK" {
            self.init(code: 200, reason: "OK")
            return
        }
        let utf8 = line.utf8
        guard utf8.count >= 5 else { throw GatewayError.invalidStatus(line) }
        var code = 0
        var index = utf8.startIndex
        for _ in 0..<3 {
            let byte = utf8[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw GatewayError.invalidStatus(line) }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
            index = utf8.index(after: index)
        }
        guard utf8[index] == UInt8(ascii: " ") else { throw GatewayError.invalidStatus(line) }
        let reason = utf8[utf8.index(after: index)...]
        guard (200...599).contains(code), !reason.isEmpty,
              reason.allSatisfy(HTTPCharacters.isFieldValue)
        else { throw GatewayError.invalidStatus(line) }
        self.init(code: code, reason: String(Substring(reason)))
    }

    /// The short text body servers answer with when they refuse a request
    /// themselves: `"404 Not Found\n"`.
    package static func plainBody(for code: Int) -> String {
        "\(code) \(reasonPhrase(for: code))\n"
    }

    /// The status line as PEP 3333 writes it: `"200 OK"`.
    public var line: String { "\(code) \(reason)" }

    /// The standard reason phrase for a code (RFC 9110), or "Unknown".
    public static func reasonPhrase(for code: Int) -> String {
        reasonPhrases[code] ?? "Unknown"
    }

    private static let reasonPhrases: [Int: String] = [
        100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
        200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
        204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
        208: "Already Reported", 226: "IM Used",
        300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
        304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
        404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
        407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
        410: "Gone", 411: "Length Required", 412: "Precondition Failed",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
        416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot",
        421: "Misdirected Request", 422: "Unprocessable Content", 423: "Locked",
        424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
        428: "Precondition Required", 429: "Too Many Requests",
        431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
        503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
        506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
        510: "Not Extended", 511: "Network Authentication Required",
    ]
}
