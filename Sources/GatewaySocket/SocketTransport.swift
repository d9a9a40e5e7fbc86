import Gateway
import GatewayHTTP

/// Writes a ``Handler``'s response to a socket: status line and headers,
/// then the body framed as the head says (chunked, Content-Length or
/// close-delimited).
final class SocketTransport: ResponseTransport {
    private let connection: SocketConnection
    private let version: String
    private let keepAlive: Bool
    private var chunked = false
    /// True when the connection must close after this response.
    private(set) var mustClose = false
    /// Where the response is logged when it ends, with its request.
    private var accessLog: (log: ServerAccessLog, environ: Environ)?
    private var status = 0
    private var bodyBytes = 0

    /// True once the client closed its side with the request unfinished: then
    /// no response is written (the application learnt it from `wsgi.input`).
    private let clientGone: () -> Bool

    init(connection: SocketConnection, version: String, keepAlive: Bool, clientGone: @escaping () -> Bool = { false }) {
        self.connection = connection
        self.version = version
        self.keepAlive = keepAlive
        self.clientGone = clientGone
    }

    /// Logs the response to `log` (Common Log Format) once it ends.
    func logResponses(to log: ServerAccessLog, for environ: Environ) {
        accessLog = (log, environ)
    }

    func sendHead(_ head: ResponseHead) throws {
        if clientGone() { throw ConnectionGone() }
        status = head.status.code
        mustClose = !keepAlive || head.closeConnection
        chunked = head.framing == .chunked
        var text = "\(version) \(head.status.line)\r\n"
        head.forEachHeader { name, value in text += "\(name): \(value)\r\n" }
        if chunked { text += "Transfer-Encoding: chunked\r\n" }
        if mustClose {
            text += "Connection: close\r\n"
        } else if version == "HTTP/1.0" {
            text += "Connection: keep-alive\r\n"
        }
        try connection.send(Array((text + "\r\n").utf8))
    }

    func sendChunk(_ chunk: [UInt8]) throws {
        bodyBytes += chunk.count
        if chunked {
            try connection.send(Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + [0x0D, 0x0A])
        } else {
            try connection.send(chunk)
        }
    }

    func sendFile(_ file: FileWrapper, length: Int?) throws {
        let size = length ?? file.remainingLength ?? 0
        try connection.sendFile(descriptor: file.descriptor, offset: file.offset, length: size)
        file.advance(by: size)
        bodyBytes += size
    }

    func finish() throws {
        if chunked { try connection.send(Array("0\r\n\r\n".utf8)) }
        if let (log, environ) = accessLog { log.record(environ: environ, status: status, bytes: bodyBytes) }
    }

    func abort() {
        mustClose = true
        connection.shutdownBoth()
        // Cut short: the client did not get the whole response (as the event server logs it).
        if let (log, environ) = accessLog { log.record(environ: environ, status: 499, bytes: bodyBytes) }
    }
}
