/// Where a blocking server writes a response that a ``Handler`` drives.
package protocol ResponseTransport {
    /// Writes the status line and headers, plus the framing headers implied by `head.framing`.
    func sendHead(_ head: ResponseHead) throws
    /// Writes one non-empty chunk of the body (framed as the head said).
    func sendChunk(_ chunk: [UInt8]) throws
    /// Writes `length` bytes of a file body (all of it when nil); by default
    /// it is read and sent in blocks.
    func sendFile(_ file: FileWrapper, length: Int?) throws
    /// Ends the body (the last chunk of a chunked one).
    func finish() throws
    /// The body failed after the head went out: cut the connection.
    func abort()
}

extension ResponseTransport {
    package func sendFile(_ file: FileWrapper, length: Int?) throws {
        var chunks = file.makeChunkIterator()
        var left = length ?? Int.max
        while left > 0, var chunk = try chunks.next() {
            if chunk.count > left { chunk.removeLast(chunk.count - left) }
            left -= chunk.count
            try sendChunk(chunk)
        }
    }
}
