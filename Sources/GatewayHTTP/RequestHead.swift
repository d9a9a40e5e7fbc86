import Gateway

/// How a request's body is delimited (RFC 9112 §6.3).
package enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A request line and its header fields as ``RequestParser`` accepted them:
/// every value checked, OWS trimmed, framing decided.
package struct RequestHead: Sendable {
    package var method: String
    /// The request target as sent (origin, absolute, authority or asterisk form).
    package var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// Field names as sent, values without surrounding whitespace, in order.
    package var headers: [(name: String, value: String)]
    package var framing: BodyFraming
    /// The connection may carry another request after this one
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `keep-alive`).
    package var keepAlive: Bool
    /// `Expect: 100-continue` on HTTP/1.1: the client waits before sending the body.
    package var expectsContinue: Bool

    /// `SERVER_PROTOCOL`: "HTTP/1.0" or "HTTP/1.1".
    package var protocolName: String { minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1" }

    package var isHead: Bool { method == "HEAD" }

    /// The values of the header `name` (lower case), in order.
    package func values(of lowercaseName: String) -> [String] {
        headers.filter { $0.name.lowercased() == lowercaseName }.map(\.value)
    }

    /// The environ's CGI variables and `HTTP_*` entries for this request.
    package func cgiVariables(server: (name: String, port: String), peer: (host: String, port: Int)) -> EnvironVariables {
        var cgi = CGIVariables(method: method, target: target, protocolName: protocolName, server: server, peer: peer)
        for (name, value) in headers { cgi.addHeader(name: name, value: value) }
        var variables = cgi.variables
        // The length the parser decided, not the field as sent (`005`, `5, 5`).
        switch framing {
        case .length(let length): variables["CONTENT_LENGTH"] = String(length)
        case .none where variables["CONTENT_LENGTH"] != nil: variables["CONTENT_LENGTH"] = "0"
        default: break
        }
        return variables
    }
}
