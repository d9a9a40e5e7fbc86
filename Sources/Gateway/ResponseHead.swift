/// How a response body is delimited on the wire; the ``Handler`` decides,
/// the server's transport carries it out.
public enum BodyFraming: Sendable, Equatable {
    /// No body at all: HEAD, 204, 304 (a `Content-Length` header may still
    /// describe the body a GET would get).
    case none
    /// Exactly this many bytes; the `Content-Length` header is in the head.
    case contentLength(Int)
    /// Length unknown, HTTP/1.1: chunked transfer coding.
    case chunked
    /// Length unknown, HTTP/1.0: the body ends when the connection closes.
    case untilClose
}

/// The status line and headers of a response, ready for the wire.
///
/// Headers are the application's, in order, plus `Content-Length`, `Date`
/// and `Server` where the handler added them. The transport adds only what
/// ``framing`` implies: `Transfer-Encoding: chunked` or `Connection: close`.
public struct ResponseHead: Sendable {
    public var status: ResponseStatus
    public var headers: [(String, String)]
    public var framing: BodyFraming
    /// The connection must close after this response: its body is delimited
    /// by the close, or the request could not be read to its end.
    public var closeConnection: Bool

    public init(status: ResponseStatus, headers: [(String, String)], framing: BodyFraming, closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.framing = framing
        self.closeConnection = closeConnection || framing == .untilClose
    }

    /// The first value of a header, by case-insensitive name.
    public func value(of name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }
}

extension String {
    /// ASCII case-insensitive comparison, as header names need.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let mine = utf8, theirs = other.utf8
        guard mine.count == theirs.count else { return false }
        // Native strings are contiguous: compare bytes without iterators.
        if let result = mine.withContiguousStorageIfAvailable({ left in
            theirs.withContiguousStorageIfAvailable { right in
                for index in 0..<left.count where asciiLower(left[index]) != asciiLower(right[index]) { return false }
                return true
            }
        }), let result { return result }
        return zip(mine, theirs).allSatisfy { asciiLower($0) == asciiLower($1) }
    }
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}
