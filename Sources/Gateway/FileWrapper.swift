#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `wsgi.file_wrapper`: a file returned as the response body.
///
/// Servers that can send a file with sendfile (the libevent server) do so,
/// without copying it through the application; others read it in blocks of
/// ``blockSize``. The wrapper owns the descriptor and closes it in ``close()``.
///
/// ```swift
/// let file = try FileWrapper(path: "/srv/static/logo.png")
/// try startResponse("200 OK", [("Content-Type", "image/png")])
/// return file            // Content-Length is added from the file's size
/// ```
public final class FileWrapper: ResponseBody {
    /// The open descriptor; valid until ``close()``.
    public let descriptor: Int32
    /// Bytes per read when the body is iterated rather than sent with sendfile.
    public let blockSize: Int
    /// Where the next read starts.
    public private(set) var offset: Int
    private var closed = false

    /// Wraps an open descriptor (PEP 3333's `file_wrapper(filelike, block_size)`);
    /// the body starts at the descriptor's current position.
    public init(descriptor: Int32, blockSize: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.blockSize = max(blockSize, 1)
        self.offset = max(Int(lseek(descriptor, 0, SEEK_CUR)), 0)
    }

    /// Opens a file for reading and wraps it.
    public convenience init(path: String, blockSize: Int = 64 * 1024) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWrapperError.cannotOpen(path: path, errno: errno) }
        self.init(descriptor: fd, blockSize: blockSize)
    }

    deinit { close() }

    /// Bytes from ``offset`` to the end of a regular file; nil for pipes and the like.
    public var remainingLength: Int? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return max(Int(info.st_size) - offset, 0)
    }

    /// Records that the server sent `count` bytes itself (sendfile).
    package func advance(by count: Int) { offset += count }

    /// Reads the file from ``offset`` in blocks of ``blockSize``.
    public func makeChunkIterator() -> any ChunkIterator { FileChunkIterator(file: self) }

    /// Closes the descriptor (once; later calls do nothing).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }

    fileprivate func readBlock() throws -> [UInt8]? {
        guard !closed else { return nil }
        var block = [UInt8](repeating: 0, count: blockSize)
        while true {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, blockSize, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileWrapperError.readFailed(errno: errno) }
            if count == 0 { return nil }
            offset += count
            block.removeLast(blockSize - count)
            return block
        }
    }
}

private struct FileChunkIterator: ChunkIterator {
    let file: FileWrapper
    mutating func next() throws -> [UInt8]? { try file.readBlock() }
}

/// Why a ``FileWrapper`` could not open or read its file.
public enum FileWrapperError: Error, Equatable {
    /// `open(2)` failed for `path` with `errno`.
    case cannotOpen(path: String, errno: Int32)
    /// `pread(2)` failed with `errno`.
    case readFailed(errno: Int32)
}
