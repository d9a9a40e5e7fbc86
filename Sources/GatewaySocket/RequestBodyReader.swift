/// Reads a request body as the application asks for it, by Content-Length
/// or chunked (RFC 9112 §7.1, strictly: hex digits only, CRLF after each
/// chunk, trailers read and dropped), within the size limit.
final class RequestBodyReader {
    private let reader: RequestReader
    private let maxBytes: Int
    private var framing: RequestFraming
    private var remainingInChunk = 0
    private var received = 0
    private(set) var finished = false
    /// Called once before the first read: the place to send `100 Continue`.
    var beforeFirstRead: (() throws -> Void)?

    init(reader: RequestReader, framing: RequestFraming, maxBytes: Int) {
        self.reader = reader
        self.framing = framing
        self.maxBytes = maxBytes
        if case .length(let length) = framing { remainingInChunk = length }
        if framing == .none { finished = true }
    }

    /// Up to `count` more body bytes; empty at the end of the body.
    func read(_ count: Int) throws -> [UInt8] {
        guard !finished, count > 0 else { return [] }
        if let hook = beforeFirstRead {
            beforeFirstRead = nil
            try hook()
        }
        switch framing {
        case .none:
            return []
        case .length:
            let bytes = try reader.read(upTo: min(count, remainingInChunk))
            if bytes.isEmpty { throw HTTPParseError.badRequest("connection closed mid-body") }
            remainingInChunk -= bytes.count
            if remainingInChunk == 0 { finished = true }
            return bytes
        case .chunked:
            if remainingInChunk == 0 {
                remainingInChunk = try readChunkSize()
                if remainingInChunk == 0 {
                    try readTrailers()
                    finished = true
                    return []
                }
            }
            let bytes = try reader.readExactly(min(count, remainingInChunk))
            remainingInChunk -= bytes.count
            if remainingInChunk == 0 {
                guard try reader.readLine(limit: 0, tooLong: .badRequest("data after a chunk")) == [] else {
                    throw HTTPParseError.badRequest("chunk not followed by CRLF")
                }
            }
            return bytes
        }
    }

    /// Reads and discards what the application left, so the next request on
    /// the connection starts where it should. False when that would take
    /// more than `limit` bytes (the caller then closes the connection).
    func drain(limit: Int) -> Bool {
        var left = limit
        beforeFirstRead = nil  // no 100 Continue for a body nobody wants
        while !finished {
            guard left > 0, let bytes = try? read(min(left, 64 * 1024)) else { return false }
            left -= bytes.count
        }
        return true
    }

    private func readChunkSize() throws -> Int {
        guard let line = try reader.readLine(limit: 256, tooLong: .badRequest("chunk-size line too long")) else {
            throw HTTPParseError.badRequest("connection closed before a chunk")
        }
        let sizePart = line.prefix { $0 != UInt8(ascii: ";") }
        guard !sizePart.isEmpty, sizePart.count <= 15, sizePart.allSatisfy(isHexDigit) else {
            throw HTTPParseError.badRequest("invalid chunk size")
        }
        let size = Int(String(decoding: sizePart, as: UTF8.self), radix: 16)!
        let extensions = line[sizePart.endIndex...]
        guard extensions.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError.badRequest("control character in a chunk extension")
        }
        received += size
        if received > maxBytes { throw HTTPParseError(status: 413, reason: "body larger than \(maxBytes) bytes") }
        return size
    }

    private func readTrailers() throws {
        var count = 0
        while true {
            guard let line = try reader.readLine(limit: 8 * 1024, tooLong: .badRequest("trailer too long")) else {
                throw HTTPParseError.badRequest("connection closed in the trailers")
            }
            if line.isEmpty { return }
            _ = try RequestHeadParser.parseHeaderLine(line)
            count += 1
            if count > 100 { throw HTTPParseError(status: 431, reason: "too many trailers") }
        }
    }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
}
