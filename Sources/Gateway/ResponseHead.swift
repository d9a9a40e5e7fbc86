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
/// Headers are the application's, in order, then `Content-Length`, `Date`
/// and `Server` where the handler added them (kept apart, so that the
/// application's list goes out as it is, without a copy). The transport adds
/// only what ``framing`` implies: `Transfer-Encoding: chunked` or
/// `Connection: close`.
package struct ResponseHead: Sendable {
    /// The headers the server adds after the application's.
    package struct Added: Sendable {
        package var contentLength: String?
        package var date: String?
        package var server: String?
        package init() {}
    }

    package var status: ResponseStatus
    /// The application's headers, as it passed them.
    package var applicationHeaders: [(String, String)]
    package var added: Added
    package var framing: BodyFraming
    /// The connection must close after this response: its body is delimited
    /// by the close, or the request could not be read to its end.
    package var closeConnection: Bool

    package init(status: ResponseStatus, headers: [(String, String)], added: Added = Added(),
                 framing: BodyFraming, closeConnection: Bool = false) {
        self.status = status
        self.applicationHeaders = headers
        self.added = added
        self.framing = framing
        self.closeConnection = closeConnection || framing == .untilClose
    }

    /// Every header in the order it goes out.
    package func forEachHeader(_ body: (String, String) throws -> Void) rethrows {
        for (name, value) in applicationHeaders { try body(name, value) }
        if let length = added.contentLength { try body("Content-Length", length) }
        if let date = added.date { try body("Date", date) }
        if let server = added.server { try body("Server", server) }
    }

    /// Every header in the order it goes out, as one list.
    package var headers: [(String, String)] {
        var all: [(String, String)] = []
        forEachHeader { all.append(($0, $1)) }
        return all
    }

    /// The first value of a header, by case-insensitive name.
    package func value(of name: String) -> String? {
        var found: String?
        forEachHeader { header, value in if found == nil && header.caseInsensitiveEquals(name) { found = value } }
        return found
    }
}
