#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Gateway

/// A bound, listening TCP socket: what every server of the package accepts on.
///
/// Servers bind it themselves rather than let a library do it, to choose the
/// backlog (libevent hard-codes 128, which drops SYNs under a burst) and the
/// socket options.
///
/// ```swift
/// let socket = try ListeningSocket(host: "127.0.0.1", port: 0)
/// print(socket.address.port)     // the port the kernel chose
/// ```
package struct ListeningSocket: Sendable {
    /// The listening descriptor (non-blocking, close-on-exec).
    package let descriptor: Int32
    /// The address bound, with the real port.
    package let address: ServerAddress

    /// Binds `host:port` (port 0 lets the kernel choose) and listens.
    package init(host: String, port: Int, backlog: Int32 = 1024, reusePort: Bool = false) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError.resolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        var lastErrno: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastErrno = errno; continue }
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size)) }
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                self.descriptor = fd
                self.address = try ListeningSocket.localAddress(of: fd)
                return
            }
            lastErrno = errno
            _ = Glibc.close(fd)
        }
        throw SocketError.bind(host: host, port: port, errno: lastErrno)
    }

    /// Closes the descriptor.
    package func close() {
        _ = Glibc.close(descriptor)
    }

    /// The first step of a stop that closes the socket: the kernel stops
    /// starting handshakes on it (a socket filter drops every bare SYN),
    /// while those under way still complete into the backlog, to be
    /// accepted and served. Once the socket closes, a client whose SYN was
    /// dropped is refused at its retry (a load balancer sends it elsewhere);
    /// without this, handshakes the kernel completes between the server's
    /// last accept and its close would be reset. Linux only; a unix-domain
    /// socket has no handshakes and is left alone.
    ///
    /// ```swift
    /// ListeningSocket.stopHandshakes(on: socket.descriptor)
    /// // accept what the backlog holds for a round trip, then close
    /// ```
    package static func stopHandshakes(on descriptor: Int32) {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        // The program reads a TCP header: on any other socket it would judge arbitrary bytes.
        guard named == 0, [Int32(AF_INET), Int32(AF_INET6)].contains(Int32(address.ss_family)) else { return }
        // Classic BPF, run on the TCP header: drop when (flags & (SYN|ACK)) == SYN.
        var program: [SocketFilterInstruction] = [
            .init(code: 0x30, k: 13),  // ldb [13]: the flags byte
            .init(code: 0x54, k: 0x12),  // and #(SYN|ACK)
            .init(code: 0x15, jt: 0, jf: 1, k: 0x02),  // jeq #SYN
            .init(code: 0x06, k: 0),  // ret #0: drop
            .init(code: 0x06, k: 0xFFFF_FFFF),  // ret: keep the whole packet
        ]
        program.withUnsafeMutableBufferPointer { instructions in
            var filter = SocketFilterProgram(length: UInt16(instructions.count), instructions: instructions.baseAddress!)
            _ = setsockopt(descriptor, SOL_SOCKET, 26 /* SO_ATTACH_FILTER */, &filter,
                           socklen_t(MemoryLayout<SocketFilterProgram>.size))
        }
    }

    /// The host and port a socket is bound to.
    package static func localAddress(of fd: Int32) throws -> ServerAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { throw SocketError.bind(host: "?", port: 0, errno: errno) }
        return try SocketAddressText.describe(storage)
    }
}

extension ListeningSocket {
    /// Binds a unix-domain socket at `path` (replacing a stale socket file),
    /// gives it `permissions` (by default anyone may connect) and listens.
    package init(unixPath path: String, backlog: Int32 = 1024, permissions: UnixSocketPermissions = UnixSocketPermissions()) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw SocketError.unixSocket(path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError.unixSocket(path: path, errno: errno) }
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw SocketError.unixSocket(path: path, errno: code)
        }
        // Before listen(): no client can connect while the file still has the umask's mode.
        do {
            try permissions.apply(to: path)
        } catch {
            _ = Glibc.close(fd)
            unlink(path)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            unlink(path)
            throw SocketError.unixSocket(path: path, errno: code)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.init(descriptor: fd, address: ServerAddress(host: path, port: 0))
    }

    /// Wraps a descriptor already bound and listening.
    package init(descriptor: Int32, address: ServerAddress) {
        self.descriptor = descriptor
        self.address = address
    }
}

/// `struct sock_filter` of <linux/filter.h>, which Glibc does not bring in.
private struct SocketFilterInstruction {
    var code: UInt16
    var jt: UInt8 = 0
    var jf: UInt8 = 0
    var k: UInt32
}

/// `struct sock_fprog`.
private struct SocketFilterProgram {
    var length: UInt16
    var instructions: UnsafeMutablePointer<SocketFilterInstruction>
}
