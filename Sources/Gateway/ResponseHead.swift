/// How a response body is delimited on the wire; the ``Handler`` decides,
/// the server's transport carries it out.
package enum BodyFraming: Sendable, Equatable {
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
package struct ResponseHead: Sendable {
    package var status: ResponseStatus
    package var headers: [(String, String)]
    package var framing: BodyFraming
    /// The connection must close after this response: its body is delimited
    /// by the close, or the request could not be read to its end.
    package var closeConnection: Bool

    package init(status: ResponseStatus, headers: [(String, String)], framing: BodyFraming, closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.framing = framing
        self.closeConnection = closeConnection || framing == .untilClose
    }

    /// The first value of a header, by case-insensitive name.
    package func value(of name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }
}
