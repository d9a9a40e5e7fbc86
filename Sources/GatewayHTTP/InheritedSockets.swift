#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// Listening sockets handed over by systemd (socket activation,
/// `sd_listen_fds(3)`): when `LISTEN_PID` is this process, descriptors 3 up
/// to 3 + `LISTEN_FDS` are its listeners, named by `LISTEN_FDNAMES`.
///
/// ```swift
/// if let inherited = try InheritedSockets.take() {
///     configuration.listener = inherited[0].listener   // serve what systemd bound
/// }
/// ```
///
/// Each descriptor is checked to be a listening stream socket, then made
/// non-blocking and close-on-exec: systemd passes blocking sockets, and
/// libevent's listener loops on `accept` until it fails, so a blocking one
/// would stall the loop. The four `LISTEN_*` variables are unset afterwards
/// so that no child process takes the sockets for its own.
package enum InheritedSockets {
    /// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
    package static let firstDescriptor: Int32 = 3

    /// The sockets passed to this process, or nil when it was not socket
    /// activated (no `LISTEN_PID`, or one naming another process).
    package static func take() throws -> [InheritedSocket]? {
        defer {
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "LISTEN_PIDFDID"] { unsetenv(name) }
        }
        guard let pidText = variable("LISTEN_PID") else { return nil }
        guard let pid = Int32(pidText) else { throw InheritedSocketError.environment("LISTEN_PID=\(pidText)") }
        guard pid == getpid() else { return nil }
        let countText = variable("LISTEN_FDS") ?? ""
        guard let count = Int32(countText), count >= 0 else {
            throw InheritedSocketError.environment("LISTEN_FDS=\(countText)")
        }
        let names = variable("LISTEN_FDNAMES").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        return try (0..<count).map { index in
            let fd = firstDescriptor + index
            let name = Int(index) < names.count ? names[Int(index)] : "unknown"
            return try InheritedSocket(descriptor: fd, name: name)
        }
    }

    private static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// One listening socket passed by systemd.
package struct InheritedSocket: Sendable {
    /// The name systemd gave it (`FileDescriptorName=`, by default the socket unit's name).
    package let name: String
    /// The listener, ready to serve (non-blocking, close-on-exec).
    package let listener: ListeningSocket
    /// True for a unix-domain socket (its file is systemd's: never unlinked).
    package let isUnix: Bool

    init(descriptor fd: Int32, name: String) throws {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length) == 0 else {
            throw InheritedSocketError.notASocket(descriptor: fd, name: name)
        }
        guard value == Int32(SOCK_STREAM.rawValue) else { throw InheritedSocketError.notStream(descriptor: fd, name: name) }
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0, value == 1 else {
            throw InheritedSocketError.notListening(descriptor: fd, name: name)
        }
        var storage = sockaddr_storage()
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw InheritedSocketError.notASocket(descriptor: fd, name: name) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        self.name = name
        switch Int32(storage.ss_family) {
        case AF_UNIX:
            isUnix = true
            let path = withUnsafeBytes(of: &storage) { raw -> String in
                raw.withMemoryRebound(to: sockaddr_un.self) { address in
                    withUnsafeBytes(of: address[0].sun_path) { bytes in
                        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    }
                }
            }
            listener = ListeningSocket(descriptor: fd, address: ServerAddress(host: path, port: 0))
        case AF_INET, AF_INET6:
            isUnix = false
            listener = ListeningSocket(descriptor: fd, address: try SocketAddressText.describe(storage))
        default:
            throw InheritedSocketError.unsupportedFamily(descriptor: fd, name: name, family: Int32(storage.ss_family))
        }
    }
}

/// Why an inherited socket cannot be served.
package enum InheritedSocketError: Error, Equatable, CustomStringConvertible {
    case environment(String)
    case notASocket(descriptor: Int32, name: String)
    case notStream(descriptor: Int32, name: String)
    case notListening(descriptor: Int32, name: String)
    case unsupportedFamily(descriptor: Int32, name: String, family: Int32)

    package var description: String {
        switch self {
        case .environment(let what): return "socket activation: malformed \(what)"
        case .notASocket(let fd, let name): return "socket activation: descriptor \(fd) (\(name)) is not a socket"
        case .notStream(let fd, let name): return "socket activation: descriptor \(fd) (\(name)) is not a stream socket"
        case .notListening(let fd, let name):
            return "socket activation: descriptor \(fd) (\(name)) is not listening (use ListenStream= without Accept=yes)"
        case .unsupportedFamily(let fd, let name, let family):
            return "socket activation: descriptor \(fd) (\(name)) has address family \(family), not IPv4, IPv6 or unix"
        }
    }
}
