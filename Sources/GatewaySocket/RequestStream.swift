import GatewayHTTP

/// Where a ``RequestStream`` reads bytes from: a socket connection, or
/// memory in tests.
protocol ByteStream: AnyObject {
    /// Up to `max` more bytes; empty at end of stream. Throws on timeouts and errors.
    func receive(max: Int) throws -> [UInt8]
}

/// The requests of one connection, read through the shared
/// ``RequestParser``: heads one after another, each body as the application
/// asks for it. Bytes read past a request stay for the next (pipelining).
final class RequestStream {
    private let stream: any ByteStream
    private var parser: RequestParser
    private var buffer: [UInt8] = []
    private var offset = 0
    /// The current request's body has been read to its end.
    private(set) var bodyFinished = true

    init(_ stream: any ByteStream, limits: RequestParser.Limits) {
        self.stream = stream
        self.parser = RequestParser(limits: limits)
    }

    /// Bytes received but not parsed yet (a pipelined request).
    var hasBufferedBytes: Bool { offset < buffer.count }

    /// The next request's head; nil when the client closed the connection
    /// between requests. Throws the ``RequestRefusal`` for a malformed one.
    func nextHead() throws -> RequestHead? {
        while true {
            switch try nextEvent(window: .max)?.event {
            case .head(let head):
                bodyFinished = false
                if case .length(let length) = head.framing { lengthBodyLeft = length } else { lengthBodyLeft = 0 }
                return head
            case nil:
                if let refusal = parser.finish() { throw refusal }
                return nil
            case .end, .body, .needMore:
                continue  // the end of a body nobody read: drain() has run
            case .refused(let refusal):
                throw refusal
            }
        }
    }

    /// Up to `count` more body bytes; empty at the end of the body.
    func readBody(_ count: Int) throws -> [UInt8] {
        guard !bodyFinished, count > 0 else { return [] }
        while true {
            let next = try nextEvent(window: count)
            switch next?.event {
            case .body(let range):
                let start = next!.base
                lengthBodyLeft -= range.count
                return Array(buffer[(start + range.lowerBound)..<(start + range.upperBound)])
            case .end:
                bodyFinished = true
                return []
            case .refused(let refusal):
                throw refusal
            case nil:
                throw parser.finish() ?? RequestRefusal(.cutShort)
            case .head, .needMore:
                continue
            }
        }
    }

    /// What ``bufferedBody(max:)`` found.
    enum BodyPiece {
        /// Body bytes, at most the count asked for.
        case bytes([UInt8])
        /// The body is complete.
        case end
        /// Nothing more is buffered: ``receiveBody()`` once the connection is readable.
        case needsBytes
    }

    /// Up to `count` more body bytes from what was received already,
    /// reading nothing from the connection (an async request's pump reads
    /// it only when poll says it is readable, so it never blocks there).
    /// Throws the ``RequestRefusal`` for a malformed or too large body.
    func bufferedBody(max count: Int) throws -> BodyPiece {
        guard !bodyFinished else { return .end }
        while true {
            let end = count >= buffer.count - offset ? buffer.count : offset + count
            let (consumed, event) = buffer.withUnsafeBytes { bytes in
                parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            }
            let base = offset
            offset += consumed
            switch event {
            case .body(let range):
                lengthBodyLeft -= range.count
                return .bytes(Array(buffer[(base + range.lowerBound)..<(base + range.upperBound)]))
            case .end:
                bodyFinished = true
                return .end
            case .refused(let refusal):
                throw refusal
            case .needMore:
                // The parser can say "end" without a byte: ask again only if it took some.
                if offset == buffer.count || consumed == 0 { return .needsBytes }
            case .head:
                continue
            }
        }
    }

    /// Reads once from the connection for the body (after poll said it is
    /// readable, so the read does not wait). Throws the refusal for a body
    /// cut short by the end of the stream, or the read's own error.
    func receiveBody() throws {
        guard offset == buffer.count else { return }  // still bytes to parse (fill() would drop them)
        guard try fill() else { throw parser.finish() ?? RequestRefusal(.cutShort) }
    }

    /// The whole body, read now (the parser's body limit bounds it).
    func readWholeBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while case let piece = try readBody(64 * 1024), !piece.isEmpty { body += piece }
        return body
    }

    /// Reads and discards what the application left of the body, so the
    /// next request starts where it should. False when the body is malformed
    /// or does not arrive (close the connection).
    func drain() -> Bool {
        while !bodyFinished {
            guard (try? readBody(64 * 1024)) != nil else { return false }
        }
        return true
    }

    /// The parser's next event other than "need more", reading from the
    /// connection as needed; at most `window` bytes are offered at once
    /// (body reads of a given size), and `base` is where they started in
    /// ``buffer``. nil at end of stream.
    private func nextEvent(window: Int) throws -> (event: RequestParser.Event, base: Int)? {
        while true {
            let end = window >= buffer.count - offset ? buffer.count : offset + window
            let (consumed, event) = buffer.withUnsafeBytes { bytes in
                parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            }
            let base = offset
            offset += consumed
            if event != .needMore { return (event, base) }
            // The parser can say "end" without a byte; read only when it needs some.
            if offset == buffer.count {
                guard try fill() else { return nil }
            }
        }
    }

    /// The client closed its side with a request unfinished: nobody is
    /// left to read an answer (the libevent server and nginx close without one too).
    var endedMidRequest: Bool { sawEnd && !parser.isIdle }
    /// Body bytes of the current request not read yet (a Content-Length body
    /// the application left; a chunked one is always read whole).
    var unreadBodyBytes: Int { bodyFinished ? 0 : max(lengthBodyLeft, 0) }
    /// What is left of the current Content-Length body.
    private var lengthBodyLeft = 0

    /// The request being read (or refused) is a HEAD.
    var isHeadRequest: Bool { parser.isHeadRequest }
    private var sawEnd = false

    private func fill() throws -> Bool {
        buffer.removeAll(keepingCapacity: true)
        offset = 0
        let more = try stream.receive(max: 64 * 1024)
        if more.isEmpty {
            sawEnd = true
            return false
        }
        buffer = more
        return true
    }
}
