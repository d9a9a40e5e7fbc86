import CZlib

// One of the two files that touch zlib (with GzipDeflater.swift). The z_stream
// lives at a fixed address (zlib keeps pointers into it), allocated here and
// freed in deinit.

/// Decompresses gzip or zlib ("deflate") data with limits on the output:
/// a total in bytes and a ratio to the input, against decompression bombs.
final class LimitedInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let maxOutput: Int
    private let maxRatio: Int
    private var consumed = 0
    private var produced = 0
    /// True once the compressed stream ended (its trailer was read).
    private(set) var ended = false

    init(maxOutput: Int, maxRatio: Int) throws {
        self.maxOutput = maxOutput
        self.maxRatio = maxRatio
        stream.initialize(to: z_stream())
        // 15 + 32: detect gzip or zlib headers automatically.
        let status = eg_inflate_init2(stream, 15 + 32)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError.initFailed(status)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates `input`; throws ``ZlibError/limitExceeded`` as soon as the
    /// output passes a limit, ``ZlibError/streamError(_:)`` on corrupt data.
    func inflate(_ input: [UInt8]) throws -> [UInt8] {
        guard !ended else { return [] }
        consumed += input.count
        var output: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 32 * 1024)
        try input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = uInt(source.count)
            while true {
                var status: Int32 = Z_OK
                let count: Int = block.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = uInt(target.count)
                    status = CZlib.inflate(stream, Z_NO_FLUSH)
                    return target.count - Int(stream.pointee.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw ZlibError.streamError(status)
                }
                produced += count
                if produced > maxOutput || produced > max(consumed, 1) * maxRatio { throw ZlibError.limitExceeded }
                output.append(contentsOf: block[0..<count])
                if status == Z_STREAM_END { ended = true; break }
                if count == 0 || (stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0) { break }
            }
            stream.pointee.next_in = nil
        }
        return output
    }
}
