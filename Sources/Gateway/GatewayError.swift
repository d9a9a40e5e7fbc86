/// A broken rule of PEP 3333 or of HTTP, found by the server while it ran an
/// application. Before the headers went out it becomes a 500 response; after,
/// the connection is closed. Either way it is logged to `wsgi.errors`.
public enum GatewayError: Error, Equatable, CustomStringConvertible {
    /// The application returned its body without calling `start_response`.
    case startResponseNotCalled
    /// `start_response` was called again without `excInfo`.
    case startResponseCalledTwice
    /// The legacy `write` was called before `start_response`.
    case writeBeforeStartResponse
    /// The status line is not a code from 200 to 599, a space and a reason.
    case invalidStatus(String)
    /// A header name is empty or not an HTTP token.
    case invalidHeaderName(String)
    /// A header value holds CR, LF, NUL or another control character.
    case invalidHeaderValue(name: String)
    /// The application set a hop-by-hop header (`Connection`, `Transfer-Encoding`, ...).
    case hopByHopHeader(String)
    /// The application's `Content-Length` is not a decimal number.
    case invalidContentLength(String)
    /// The body ended before the bytes its `Content-Length` announced.
    case bodyShorterThanContentLength(expected: Int, sent: Int)
    /// A body held in memory differs in length from its `Content-Length`.
    case contentLengthMismatch(declared: Int, actual: Int)
    /// `start_response` or `write` was called after its request's response was over.
    case responseOver
    /// An async application read its streamed body with a blocking call on
    /// the server's own thread, which is the one that would bring the bytes:
    /// it must `await` the read instead.
    case blockingReadOnServerThread

    /// The broken rule, in words, as it is logged.
    public var description: String {
        switch self {
        case .startResponseNotCalled:
            return "the application returned without calling start_response"
        case .startResponseCalledTwice:
            return "start_response called a second time without excInfo"
        case .writeBeforeStartResponse:
            return "write() called before start_response"
        case .invalidStatus(let status):
            return "invalid status line \(status.debugDescription): expected a 3-digit code from 200 to 599, a space and a reason"
        case .invalidHeaderName(let name):
            return "invalid header name \(name.debugDescription)"
        case .invalidHeaderValue(let name):
            return "the value of header \(name.debugDescription) holds a control character (CR, LF, NUL, ...)"
        case .hopByHopHeader(let name):
            return "hop-by-hop header \(name.debugDescription) is the server's to set, not the application's"
        case .invalidContentLength(let value):
            return "invalid Content-Length \(value.debugDescription)"
        case .bodyShorterThanContentLength(let expected, let sent):
            return "the body ended after \(sent) of the \(expected) bytes its Content-Length announced"
        case .contentLengthMismatch(let declared, let actual):
            return "Content-Length says \(declared) bytes but the body has \(actual)"
        case .responseOver:
            return "start_response or write called after its request's response was over"
        case .blockingReadOnServerThread:
            return "a blocking read of a body still arriving, on the server thread that brings it: use `try await environ.input.read()`"
        }
    }
}
