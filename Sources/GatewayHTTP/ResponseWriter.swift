@_spi(GatewayKit) import Gateway

/// The one writer of response bytes for both servers: the head of an
/// application's response (``ResponseHead``), the head and body of a
/// response the server makes itself (``ServerResponse``), and the chunked
/// framing of a body. Each server only moves the bytes: the socket server
/// sends them, the libevent server adds them to a connection's output buffer.
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
        let keeps = keepAlive && !head.closeConnection
        writeStatusLine(head.status.code, reason: head.status.reason, minorVersion: minorVersion, into: &bytes)
        // The order of ResponseHead.forEachHeader, without a closure a header.
        for index in head.applicationHeaders.indices {
            writeField(head.applicationHeaders[index].0, head.applicationHeaders[index].1, into: &bytes)
        }
        if let length = head.added.contentLength { writeField("Content-Length", length, into: &bytes) }
        if let date = head.added.date { writeField("Date", date, into: &bytes) }
        if let server = head.added.server { writeField("Server", server, into: &bytes) }
        if head.framing == .chunked { bytes.append(contentsOf: transferEncodingChunked) }
        if !keeps {
            bytes.append(contentsOf: connectionClose)
        } else if minorVersion == 0 {
            bytes.append(contentsOf: connectionKeepAlive)
        }
        bytes.append(contentsOf: crlf)
        return keeps
    }

    /// Appends a server-made response whole (HTTP/1.1): status line, its
    /// headers, `Content-Length` (from its body) for a final response,
    /// `Connection: close` when it closes the connection, then the body
    /// unless it answers a HEAD.
    package static func write(_ response: ServerResponse, into bytes: inout [UInt8]) {
        writeStatusLine(response.status, reason: response.reason, minorVersion: 1, into: &bytes)
        for (name, value) in response.headers { writeField(name, value, into: &bytes) }
        if response.status >= 200 { writeField("Content-Length", DecimalText.of(response.body.count), into: &bytes) }
        if response.closesConnection { bytes.append(contentsOf: connectionClose) }
        bytes.append(contentsOf: crlf)
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

    private static func writeStatusLine(_ code: Int, reason: String, minorVersion: Int, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: minorVersion == 0 ? http10 : http11)
        if code == 200 && reason == "OK" {
            bytes.append(contentsOf: ok)
            return
        }
        append(DecimalText.of(code), to: &bytes)
        bytes.append(0x20)
        append(reason, to: &bytes)
        bytes.append(contentsOf: crlf)
    }

    private static func writeField(_ name: String, _ value: String, into bytes: inout [UInt8]) {
        append(name, to: &bytes)
        bytes.append(0x3A)
        bytes.append(0x20)
        append(value, to: &bytes)
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    /// A string's bytes, copied from its contiguous storage in one go (the
    /// generic `append(contentsOf: string.utf8)` went byte by byte).
    @inline(__always)
    private static func append(_ text: String, to bytes: inout [UInt8]) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) { return done }
        bytes.append(contentsOf: Array(text.utf8))
    }

    package static let crlf: [UInt8] = [0x0D, 0x0A]
    private static let http10 = Array("HTTP/1.0 ".utf8), http11 = Array("HTTP/1.1 ".utf8)
    private static let ok = Array("200 OK\r\n".utf8)
    private static let transferEncodingChunked = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    private static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}
