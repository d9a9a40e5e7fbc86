#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// A byte range of an open file as a body (a 206 that stops before the end
/// of the file, which ``FileWrapper`` cannot express). Owns the descriptor.
final class FileRangeBody: ResponseBody {
    private let descriptor: Int32
    private var offset: Int
    private var remaining: Int
    private var closed = false

    init(descriptor: Int32, range: ClosedRange<Int>) {
        self.descriptor = descriptor
        self.offset = range.lowerBound
        self.remaining = range.count
    }

    deinit { close() }

    func makeChunkIterator() -> any ChunkIterator { Iterator(body: self) }

    func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }

    fileprivate func read() throws -> [UInt8]? {
        guard !closed, remaining > 0 else { return nil }
        let size = min(remaining, 64 * 1024)
        var block = [UInt8](repeating: 0, count: size)
        while true {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, size, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FileWrapperError.readFailed(errno: count == 0 ? EIO : errno) }
            offset += count
            remaining -= count
            block.removeLast(size - count)
            return block
        }
    }

    private struct Iterator: ChunkIterator {
        let body: FileRangeBody
        mutating func next() throws -> [UInt8]? { try body.read() }
    }
}
