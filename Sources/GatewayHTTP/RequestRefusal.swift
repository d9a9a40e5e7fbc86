import Gateway
import Logging

/// A request the server will not serve, with the status that says why
/// (400, 408, 413, 414, 431, 501, 505) and a reason for the log.
///
/// Both servers answer it the same way (``ServerResponse/refusal(_:serverSoftware:)``)
/// and close the connection; the application is never called. When
/// `wsgi.input` throws one mid-body, the ``Handler`` answers its status.
package struct RequestRefusal: RequestError, Equatable, CustomStringConvertible {
    package let status: Int
    package let reason: String

    package init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    package static func badRequest(_ reason: String) -> RequestRefusal { RequestRefusal(status: 400, reason: reason) }

    package var description: String { "\(status) \(ResponseStatus.reasonPhrase(for: status)): \(reason)" }
}

extension Logger {
    /// How both servers log a request they refused, at `info` (the
    /// client's fault, not the server's):
    /// `refused request from 127.0.0.1: 431 Request Header Fields Too Large: ...`.
    package func refusedRequest(from peer: String, _ refusal: some CustomStringConvertible) {
        info("refused request from \(peer): \(refusal)")
    }

    /// A client that closed its side with a request unfinished: nobody is
    /// left to answer, only this line.
    package func requestCutShort(from peer: String, _ reason: String) {
        info("request from \(peer) cut short: \(reason)")
    }
}
