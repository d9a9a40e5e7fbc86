import Gateway
import GatewayHTTP

/// Writes a ``Handler``'s response to a socket: status line and headers,
/// then the body framed as the head says (chunked, Content-Length or
/// close-delimited).
final class SocketTransport: ResponseTransport {
    private let connection: SocketConnection
    private let minorVersion: Int
    private var keepAlive: Bool
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

    init(connection: SocketConnection, minorVersion: Int, keepAlive: Bool, clientGone: @escaping () -> Bool = { false }) {
        self.connection = connection
        self.minorVersion = minorVersion
        self.keepAlive = keepAlive
        self.clientGone = clientGone
    }

    /// The head to come says `Connection: close`: the connection will not
    /// carry another request (an async application's body not read to its end).
    func closesAfterResponse() {
        keepAlive = false
    }

    /// Logs the response to `log` (Common Log Format) once it ends.
    func logResponses(to log: ServerAccessLog, for environ: Environ) {
        accessLog = (log, environ)
    }

    func sendHead(_ head: ResponseHead) throws {
        if clientGone() { throw ConnectionGone() }
        status = head.status.code
        chunked = head.framing == .chunked
        var bytes: [UInt8] = []
        let keeps = ResponseWriter.writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive, into: &bytes)
        mustClose = !keeps
        try connection.send(bytes)
    }

    func sendChunk(_ chunk: [UInt8]) throws {
        bodyBytes += chunk.count
        if chunked {
            var bytes: [UInt8] = []
            ResponseWriter.writeChunk(chunk, into: &bytes)
            try connection.send(bytes)
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
        if chunked {
            var bytes: [UInt8] = []
            ResponseWriter.writeLastChunk(into: &bytes)
            try connection.send(bytes)
        }
        if let (log, environ) = accessLog { log.record(environ: environ, status: status, bytes: bodyBytes) }
    }

    func abort() {
        mustClose = true
        connection.shutdownBoth()
        // Cut short: the client did not get the whole response (as the event server logs it).
        if let (log, environ) = accessLog { log.record(environ: environ, status: 499, bytes: bodyBytes) }
    }
}
