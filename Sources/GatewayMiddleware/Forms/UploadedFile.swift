#if canImport(Glibc)
import Glibc
#endif

/// A file part of a multipart form: in memory while small, in a temporary
/// file (mode 0600, deleted by ``close()``) past the memory threshold.
/// The client's file name is kept only as text: it never becomes a path.
///
/// ```swift
/// let bytes = try file.read()          // the whole file
/// file.close()                         // deletes the temporary copy, if any
/// ```
public final class UploadedFile {
    /// The form field's name.
    public let fieldName: String
    /// The name the client gave (`filename=`), untrusted: display it, never open it.
    public let filename: String?
    /// The part's `Content-Type`, `application/octet-stream` when absent.
    public let contentType: String
    /// Bytes received.
    public private(set) var size = 0
    /// The temporary file's path, once the part outgrew memory (ours, not the client's).
    public private(set) var temporaryPath: String?

    private var memory: [UInt8] = []
    private var descriptor: Int32 = -1
    private let threshold: Int
    private let directory: String

    init(fieldName: String, filename: String?, contentType: String, threshold: Int, directory: String) {
        self.fieldName = fieldName
        self.filename = filename
        self.contentType = contentType
        self.threshold = threshold
        self.directory = directory
    }

    deinit { close() }

    /// True when the contents live in a temporary file.
    public var isOnDisk: Bool { temporaryPath != nil }

    /// Adds received bytes; moves to a temporary file past the threshold.
    func append(_ bytes: ArraySlice<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        size += bytes.count
        if descriptor < 0 && memory.count + bytes.count <= threshold {
            memory += bytes
            return
        }
        if descriptor < 0 {
            try spill()
        }
        try writeAll(bytes)
    }

    /// The whole contents (read back from disk when spilled).
    public func read() throws -> [UInt8] {
        guard descriptor >= 0 else { return memory }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes[offset...].withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FormError.malformed("temporary file unreadable") }
            offset += count
        }
        return bytes
    }

    /// Calls `body` with the contents in blocks, without loading them whole.
    public func forEachBlock(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard descriptor >= 0 else { return try body(memory[...]) }
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        while offset < size {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FormError.malformed("temporary file unreadable") }
            try body(block[0..<count])
            offset += count
        }
    }

    /// Deletes the temporary file, if any; the contents are gone after.
    public func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
        if let temporaryPath {
            unlink(temporaryPath)
            self.temporaryPath = nil
        }
        memory = []
    }

    private func spill() throws {
        var template = Array((directory + "/eventgateway-upload-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }  // mode 0600
        guard fd >= 0 else { throw FormError.tooLarge("no room for a temporary file") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        descriptor = fd
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let held = memory
        memory = []
        try writeAll(held[...])
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>) throws {
        var rest = bytes
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw FormError.tooLarge("temporary file write failed (errno \(errno))") }
            rest = rest.dropFirst(written)
        }
    }
}
