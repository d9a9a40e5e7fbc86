@_spi(GatewayKit) import Gateway

/// The one writer of response bytes for both servers: the head of an
/// application's response (``ResponseHead``), the head and body of a
/// response the server makes itself (``ServerResponse``), and the chunked
/// framing of a body. Each server only moves the bytes: the socket server
/// sends them, the libevent server writes the head straight into a
/// connection's output buffer (``headSize(_:minorVersion:keepAlive:)``
/// bytes reserved there, then ``writeHead(_:minorVersion:keepAlive:into:)``).
///
/// ```swift
/// var bytes: [UInt8] = []
/// ResponseWriter.writeHead(head, minorVersion: 1, keepAlive: true, into: &bytes)
/// ResponseWriter.writeChunk(body, into: &bytes)      // when head.framing == .chunked
/// ResponseWriter.writeLastChunk(into: &bytes)
/// ```
package enum ResponseWriter {
    /// Appends the status line and headers of `head`, then what its framing
    /// and the connection imply: `Transfer-Encoding: chunked` for a chunked
    /// body, `Connection: close` when the connection ends after it, and
    /// `Connection: keep-alive` when an HTTP/1.0 one does not. The status
    /// line carries the request's version, as it did on both servers.
    ///
    /// `keepAlive`: the server means to keep the connection (the request
    /// allows it and the server is not stopping); the head's own
    /// ``ResponseHead/closeConnection`` overrides it.
    /// Returns whether the connection stays open after this response.
    @discardableResult
    package static func writeHead(_ head: ResponseHead, minorVersion: Int, keepAlive: Bool, into bytes: inout [UInt8]) -> Bool {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: headSize(head, minorVersion: minorVersion, keepAlive: keepAlive)))
        return bytes.withUnsafeMutableBytes { buffer in
            writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// The bytes ``writeHead(_:minorVersion:keepAlive:into:)`` writes for `head`.
    package static func headSize(_ head: ResponseHead, minorVersion: Int, keepAlive: Bool) -> Int {
        var size = 9 + statusSize(head.status.code, reason: head.status.reason)
        for index in head.applicationHeaders.indices {
            size += head.applicationHeaders[index].0.utf8.count + head.applicationHeaders[index].1.utf8.count + 4
        }
        if let length = head.added.contentLength { size += 16 + length.utf8.count + 2 }
        if let date = head.added.date { size += 6 + date.utf8.count + 2 }
        if let server = head.added.server { size += 8 + server.utf8.count + 2 }
        if head.framing == .chunked { size += transferEncodingChunked.count }
        let keeps = keepAlive && !head.closeConnection
        if !keeps {
            size += connectionClose.count
        } else if minorVersion == 0 {
            size += connectionKeepAlive.count
        }
        return size + 2
    }

    /// Writes the head into `buffer`, exactly ``headSize(_:minorVersion:keepAlive:)``
    /// bytes long. Returns whether the connection stays open after this response.
    package static func writeHead(_ head: ResponseHead, minorVersion: Int, keepAlive: Bool,
                                  into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var out = ByteWriter(buffer)
        let keeps = keepAlive && !head.closeConnection
        out.write(minorVersion == 0 ? http10 : http11)
        writeStatus(head.status.code, reason: head.status.reason, to: &out)
        // The order of ResponseHead.forEachHeader, without a closure a header.
        for index in head.applicationHeaders.indices {
            writeField(head.applicationHeaders[index].0, head.applicationHeaders[index].1, to: &out)
        }
        if let length = head.added.contentLength { writeField("Content-Length", length, to: &out) }
        if let date = head.added.date { writeField("Date", date, to: &out) }
        if let server = head.added.server { writeField("Server", server, to: &out) }
        if head.framing == .chunked { out.write(transferEncodingChunked) }
        if !keeps {
            out.write(connectionClose)
        } else if minorVersion == 0 {
            out.write(connectionKeepAlive)
        }
        out.write(crlf)
        precondition(out.count == buffer.count, "a response head of \(out.count) bytes, \(buffer.count) reserved")
        return keeps
    }

    /// Appends a server-made response whole (HTTP/1.1): status line, its
    /// headers, `Content-Length` (from its body) for a final response,
    /// `Connection: close` when it closes the connection, then the body
    /// unless it answers a HEAD.
    package static func write(_ response: ServerResponse, into bytes: inout [UInt8]) {
        var fields = response.headers
        if response.status >= 200 { fields.append(("Content-Length", DecimalText.of(response.body.count))) }
        let head = ResponseHead(
            status: ResponseStatus(code: response.status, reason: response.reason), headers: fields,
            framing: .none, closeConnection: response.closesConnection)
        writeHead(head, minorVersion: 1, keepAlive: !response.closesConnection || response.status < 200, into: &bytes)
        if !response.omitsBody { bytes.append(contentsOf: response.body) }
    }

    /// Appends one chunk of a chunked body: its size in hex, CRLF, the
    /// bytes, CRLF. An empty chunk would end the body: write nothing for it.
    package static func writeChunk(_ chunk: [UInt8], into bytes: inout [UInt8]) {
        guard !chunk.isEmpty else { return }
        writeChunkHeader(count: chunk.count, into: &bytes)
        bytes.append(contentsOf: chunk)
        bytes.append(contentsOf: crlf)
    }

    /// Appends the size line of a chunk of `count` bytes (`1a2b\r\n`); the
    /// caller adds the data and ``crlf``.
    package static func writeChunkHeader(count: Int, into bytes: inout [UInt8]) {
        precondition(count > 0, "an empty chunk ends a chunked body")
        var digits: [UInt8] = []
        var left = count
        while left > 0 {
            digits.append(hexDigits[left & 0xF])
            left >>= 4
        }
        bytes.append(contentsOf: digits.reversed())
        bytes.append(contentsOf: crlf)
    }

    /// Appends the end of a chunked body: the last chunk, no trailers.
    package static func writeLastChunk(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: lastChunk)
    }

    /// "200 OK\r\n" and the like: the code's three digits, the reason, CRLF.
    private static func statusSize(_ code: Int, reason: String) -> Int {
        4 + reason.utf8.count + 2
    }

    private static func writeStatus(_ code: Int, reason: String, to out: inout ByteWriter) {
        out.write(byte: UInt8(truncatingIfNeeded: 0x30 + code / 100 % 10))
        out.write(byte: UInt8(truncatingIfNeeded: 0x30 + code / 10 % 10))
        out.write(byte: UInt8(truncatingIfNeeded: 0x30 + code % 10))
        out.write(byte: 0x20)
        out.write(reason)
        out.write(crlf)
    }

    private static func writeField(_ name: String, _ value: String, to out: inout ByteWriter) {
        out.write(name)
        out.write(byte: 0x3A)
        out.write(byte: 0x20)
        out.write(value)
        out.write(crlf)
    }

    package static let crlf: [UInt8] = [0x0D, 0x0A]
    private static let http10 = Array("HTTP/1.0 ".utf8), http11 = Array("HTTP/1.1 ".utf8)
    private static let transferEncodingChunked = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    private static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Bytes copied into a buffer reserved for them, front to back.
private struct ByteWriter {
    private let base: UnsafeMutableRawPointer?
    private let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        capacity = buffer.count
    }

    @inline(__always)
    mutating func write(byte: UInt8) {
        precondition(count < capacity, "response head past its reserved size")
        base!.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { copy($0) }
    }

    /// A string's bytes from its contiguous storage (small strings too), in one copy.
    @inline(__always)
    mutating func write(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ copy(UnsafeRawBufferPointer($0)) }) == nil {
            copy(Array(text.utf8))
        }
    }

    private mutating func copy(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { copy($0) }
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= capacity, "response head past its reserved size")
        (base! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }
}
