import CZlib

// One of the two files that touch zlib (with LimitedInflater.swift). The z_stream
// lives at a fixed address (zlib keeps pointers into it), allocated here and
// freed in deinit.

/// Compresses a stream to the gzip format (RFC 1952), chunk by chunk.
///
/// ```swift
/// let deflater = try GzipDeflater(level: 6)
/// var out = try deflater.compress(Array("hello".utf8), flush: true)  // decodable so far
/// out += try deflater.finish()
/// ```
final class GzipDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var finished = false

    /// `level` 1 (fast) to 9 (small); 6 is zlib's default trade-off.
    init(level: Int32 = 6) throws {
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, with a gzip header and trailer.
        let status = eg_deflate_init2(stream, max(0, min(level, 9)), 15 + 16)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError.initFailed(status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`; with `flush`, a sync flush makes everything given
    /// so far decodable by the client now (one streamed chunk out per chunk in).
    func compress(_ input: [UInt8], flush: Bool) throws -> [UInt8] {
        try run(input, mode: flush ? Z_SYNC_FLUSH : Z_NO_FLUSH)
    }

    /// Ends the stream: the rest of the data and the gzip trailer.
    func finish() throws -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        return try run([], mode: Z_FINISH)
    }

    private func run(_ input: [UInt8], mode: Int32) throws -> [UInt8] {
        var output: [UInt8] = []
        var block = [UInt8](repeating: 0, count: max(16 * 1024, input.count / 2 + 64))
        try input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = uInt(source.count)
            repeat {
                let produced: Int = try block.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = uInt(target.count)
                    let status = deflate(stream, mode)
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw ZlibError.streamError(status)
                    }
                    return target.count - Int(stream.pointee.avail_out)
                }
                output.append(contentsOf: block[0..<produced])
            } while stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        return output
    }
}
