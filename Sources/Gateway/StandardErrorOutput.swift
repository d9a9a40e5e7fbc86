#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The default `wsgi.errors`: the process's standard error, unbuffered.
public final class StandardErrorOutput: ErrorOutput {
    /// The one instance every server uses unless told otherwise.
    public static let shared = StandardErrorOutput()

    /// Writes `text` to file descriptor 2 at once, retrying short writes.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { writeFully(fd: 2, $0) }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes; gives up on errors.
private func writeFully(fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
    guard var pointer = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
        let written = write(fd, pointer, left)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        pointer += written
        left -= written
    }
}
