import Gateway

/// A response the server writes itself, never the application: a refusal
/// of a request it will not serve, or the interim `100 Continue`. Both
/// servers build them here, so a refusal reads the same from either.
///
/// ```swift
/// let answer = ServerResponse.answering(RequestRefusal(.headerTooLarge), serverSoftware: "EventGateway/0.1")
/// socket.send(answer.bytes)   // "HTTP/1.1 431 Request Header Fields Too Large\r\n..."
/// ```
package struct ServerResponse {
    package var status: Int
    /// Headers besides framing: the server writes `Content-Length` from ``body``.
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// The connection closes after it (every refusal does).
    package var closesConnection: Bool
    /// The answer to a HEAD: `Content-Length` says the body's length, no
    /// body follows (RFC 9110 §9.3.2).
    package var omitsBody = false

    package var reason: String { ResponseStatus.reasonPhrase(for: status) }

    /// The answer to a refused request: its kind's status, a short text
    /// body naming it (left out for a HEAD), `Date`, `Server` and
    /// `Connection: close`; a 503 (overload) also says when to try again
    /// (`Retry-After`, RFC 9110 §10.2.3).
    package static func answering(_ refusal: RequestRefusal, serverSoftware: String?, toHead: Bool = false) -> ServerResponse {
        let status = refusal.status
        var headers = [("Content-Type", "text/plain; charset=utf-8"), ("Date", HTTPDate.now())]
        if let serverSoftware { headers.append(("Server", serverSoftware)) }
        if status == 503 { headers.append(("Retry-After", "1")) }
        return ServerResponse(
            status: status,
            headers: headers,
            body: Array(ResponseStatus.plainBody(for: status).utf8),
            closesConnection: true,
            omitsBody: toHead)
    }

    /// `100 Continue`: the client may send the body it announced.
    package static let `continue` = ServerResponse(status: 100, headers: [], body: [], closesConnection: false)

    /// The response on the wire (HTTP/1.1), with `Content-Length` and
    /// `Connection: close` as they apply (``ResponseWriter/write(_:into:)``).
    package var bytes: [UInt8] {
        var bytes: [UInt8] = []
        ResponseWriter.write(self, into: &bytes)
        return bytes
    }
}
