#if canImport(Glibc)
import Glibc
#endif

/// Timeouts on a blocking socket (`SO_RCVTIMEO`, `SO_SNDTIMEO`): a read or
/// a write that makes no progress for that long fails with `EAGAIN`.
///
/// ```swift
/// SocketTimeout.set(on: descriptor, seconds: 30)
/// ```
package enum SocketTimeout {
    /// Sets the receive timeout, and the send timeout unless `sends` is false.
    package static func set(on descriptor: Int32, seconds: Double, sends: Bool = true) {
        var wait = timeval(seconds: seconds)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        if sends { setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size)) }
    }
}
