import Gateway

/// Limits on what a client may send; each has a status when exceeded.
public struct RequestLimits: Sendable {
    /// Longest request line (-> 414).
    public var maxRequestLine = 8 * 1024
    /// Most header bytes in all (-> 431).
    public var maxHeaderBytes = 64 * 1024
    /// Most header lines (-> 431).
    public var maxHeaderCount = 100
    /// Largest request body (-> 413).
    public var maxBodyBytes = 64 * 1024 * 1024

    public init() {}
}

/// How a request body is delimited.
enum RequestFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

/// A parsed request line and headers.
struct RequestHead {
    var method: String
    var target: String
    var major: Int
    var minor: Int
    /// Names and values as sent (values with surrounding whitespace trimmed).
    var headers: [(name: String, value: String)]
    var framing: RequestFraming

    var version: String { "HTTP/\(major).\(minor)" }

    func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name }.map(\.value)
    }

    /// The lowercase tokens of every `Connection` header.
    var connectionTokens: [String] {
        values(of: "connection").flatMap { $0.lowercased().split(separator: ",") }
            .map { String($0.filter { $0 != " " && $0 != "\t" }) }
    }

    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked.
    var wantsKeepAlive: Bool {
        let tokens = connectionTokens
        if tokens.contains("close") { return false }
        return minor >= 1 ? true : tokens.contains("keep-alive")
    }

    var expectsContinue: Bool {
        values(of: "expect").contains { $0.lowercased() == "100-continue" }
    }
}

/// A strict HTTP/1.1 request-head parser (RFC 9112). It refuses rather than
/// guesses: bare CR or LF, obs-fold, spaces around header names, control
/// bytes in values, ambiguous body framing. What it accepts, a proxy in
/// front reads the same way, so nothing can be smuggled past it.
enum RequestHeadParser {
    /// Reads one request head; nil when the connection ended cleanly first.
    static func parse(_ reader: RequestReader, limits: RequestLimits) throws -> RequestHead? {
        let uriTooLong = HTTPParseError(status: 414, reason: "request line too long")
        var line: [UInt8]? = try reader.readLine(limit: limits.maxRequestLine, tooLong: uriTooLong)
        var blankLines = 0
        while let current = line, current.isEmpty {  // RFC 9112 §2.2: ignore stray CRLFs first
            blankLines += 1
            if blankLines > 4 { throw HTTPParseError.badRequest("empty lines instead of a request") }
            line = try reader.readLine(limit: limits.maxRequestLine, tooLong: uriTooLong)
        }
        guard let requestLine = line else { return nil }
        var head = try parseRequestLine(requestLine)

        let tooLarge = HTTPParseError(status: 431, reason: "header fields too large")
        var total = 0
        while true {
            guard let line = try reader.readLine(limit: limits.maxHeaderBytes, tooLong: tooLarge) else {
                throw HTTPParseError.badRequest("connection closed in the headers")
            }
            if line.isEmpty { break }
            total += line.count + 2
            if total > limits.maxHeaderBytes || head.headers.count >= limits.maxHeaderCount { throw tooLarge }
            head.headers.append(try parseHeaderLine(line))
        }
        head.framing = try framing(of: head, limits: limits)
        return head
    }

    static func parseRequestLine(_ line: [UInt8]) throws -> RequestHead {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTPParseError.badRequest("malformed request line") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isToken) else { throw HTTPParseError.badRequest("invalid method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseError.badRequest("invalid request target")
        }
        guard version.count == 8, version.starts(with: Array("HTTP/".utf8)),
              isDigit(version[version.startIndex + 5]), version[version.startIndex + 6] == UInt8(ascii: "."),
              isDigit(version[version.startIndex + 7])
        else { throw HTTPParseError.badRequest("invalid HTTP version") }
        let major = Int(version[version.startIndex + 5] - 0x30), minor = Int(version[version.startIndex + 7] - 0x30)
        guard major == 1 else { throw HTTPParseError(status: 505, reason: "HTTP/\(major) is not supported") }
        guard target.first == UInt8(ascii: "/") || target.elementsEqual("*".utf8)
                || target.starts(with: Array("http://".utf8)) || target.starts(with: Array("https://".utf8))
        else { throw HTTPParseError.badRequest("request target is neither a path nor an absolute URL") }
        return RequestHead(
            method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
            major: major, minor: minor, headers: [], framing: .none)
    }

    static func parseHeaderLine(_ line: [UInt8]) throws -> (name: String, value: String) {
        if line.first == 0x20 || line.first == 0x09 { throw HTTPParseError.badRequest("obs-fold (header continuation line)") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw HTTPParseError.badRequest("header line without a name and colon")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isToken) else { throw HTTPParseError.badRequest("invalid header name") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError.badRequest("control character in a header value")
        }
        return (String(decoding: name, as: UTF8.self), decodeText(Array(value)))
    }

    static func framing(of head: RequestHead, limits: RequestLimits) throws -> RequestFraming {
        let hosts = head.values(of: "host")
        if hosts.count > 1 { throw HTTPParseError.badRequest("more than one Host header") }
        if head.minor >= 1 && hosts.isEmpty { throw HTTPParseError.badRequest("HTTP/1.1 request without Host") }

        let encodings = head.values(of: "transfer-encoding")
        let lengths = head.values(of: "content-length")
        if !encodings.isEmpty {
            if !lengths.isEmpty { throw HTTPParseError.badRequest("both Transfer-Encoding and Content-Length") }
            if head.minor == 0 { throw HTTPParseError.badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = encodings.flatMap { $0.lowercased().split(separator: ",") }
                .map { String($0.filter { $0 != " " && $0 != "\t" }) }
            guard codings.last == "chunked" else { throw HTTPParseError.badRequest("Transfer-Encoding does not end in chunked") }
            guard codings.count == 1 else { throw HTTPParseError(status: 501, reason: "transfer codings other than chunked") }
            return .chunked
        }
        guard let first = lengths.first else { return .none }
        guard lengths.allSatisfy({ $0 == first }) else { throw HTTPParseError.badRequest("differing Content-Length headers") }
        guard !first.isEmpty, first.utf8.count <= 18, first.utf8.allSatisfy(isDigit), let length = Int(first) else {
            throw HTTPParseError.badRequest("invalid Content-Length")
        }
        if length > limits.maxBodyBytes { throw HTTPParseError(status: 413, reason: "body larger than \(limits.maxBodyBytes) bytes") }
        return length == 0 ? .none : .length(length)
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// RFC 9110 `tchar`.
func isToken(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default: return false
    }
}
