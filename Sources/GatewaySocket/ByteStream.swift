/// Where the parser reads request bytes from: a socket connection, or
/// memory in tests and fuzzing.
protocol ByteStream: AnyObject {
    /// Up to `max` more bytes; empty at end of stream. Throws on timeouts and errors.
    func receive(max: Int) throws -> [UInt8]
}

/// Buffered, strict reading over a ``ByteStream``: lines must end in CRLF.
final class RequestReader {
    private let stream: any ByteStream
    private var buffer: [UInt8] = []
    private var offset = 0

    init(_ stream: any ByteStream) {
        self.stream = stream
    }

    /// Bytes received but not consumed yet (pipelined requests).
    var hasBufferedBytes: Bool { offset < buffer.count }

    /// Reads a line without its CRLF. A line longer than `limit` fails with
    /// `tooLong`; a bare LF or a CR inside the line fails with 400; end of
    /// stream before any byte returns nil.
    func readLine(limit: Int, tooLong: HTTPParseError) throws -> [UInt8]? {
        var searched = 0  // bytes after `offset` known to hold no LF (fill() may move `offset`)
        while true {
            if let newline = buffer[(offset + searched)...].firstIndex(of: 0x0A) {
                let lineEnd = newline - 1
                guard lineEnd >= offset, buffer[lineEnd] == 0x0D else { throw HTTPParseError.badRequest("bare LF") }
                guard lineEnd - offset <= limit else { throw tooLong }
                let line = Array(buffer[offset..<lineEnd])
                offset = newline + 1
                if line.contains(0x0D) { throw HTTPParseError.badRequest("bare CR") }
                return line
            }
            searched = buffer.count - offset
            if searched > limit + 1 { throw tooLong }
            guard try fill() else {
                if offset == buffer.count { return nil }
                throw HTTPParseError.badRequest("connection closed mid-line")
            }
        }
    }

    /// Reads up to `count` bytes (fewer only at end of stream).
    func read(upTo count: Int) throws -> [UInt8] {
        if offset == buffer.count { _ = try fill() }
        let take = min(count, buffer.count - offset)
        let bytes = Array(buffer[offset..<(offset + take)])
        offset += take
        return bytes
    }

    /// Reads exactly `count` bytes or fails with 400.
    func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - offset < count {
            guard try fill() else { throw HTTPParseError.badRequest("connection closed mid-body") }
        }
        let bytes = Array(buffer[offset..<(offset + count)])
        offset += count
        return bytes
    }

    private func fill() throws -> Bool {
        if offset > 0 && offset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            offset = 0
        } else if offset > 64 * 1024 {
            buffer.removeFirst(offset)
            offset = 0
        }
        let more = try stream.receive(max: 64 * 1024)
        if more.isEmpty { return false }
        buffer += more
        return true
    }
}
