import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// One accepted client socket: blocking reads with a timeout, whole writes.
final class SocketConnection: ByteStream, @unchecked Sendable {
    // @unchecked: one thread serves the connection; another may only call
    // shutdownBoth(), a plain syscall on the descriptor, while it is open.
    let descriptor: Int32
    let peer: (host: String, port: Int)
    private var closed = false

    init(descriptor: Int32, peer: (host: String, port: Int), timeout: Double) {
        self.descriptor = descriptor
        self.peer = peer
        SocketTimeout.set(on: descriptor, seconds: timeout)
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    func receive(max: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: max) { buffer, count in
            count = 0
            while true {
                let got = recv(descriptor, buffer.baseAddress, max, 0)
                if got >= 0 {
                    count = got
                    return
                }
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw RequestRefusal(.timedOut) }
                if errno == ECONNRESET { return }
                throw ConnectionGone()
            }
        }
    }

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { throw ConnectionGone() }
                offset += sent
            }
        }
    }

    /// Sends `length` bytes of a file from `offset` with sendfile(2).
    func sendFile(descriptor file: Int32, offset: Int, length: Int) throws {
        var position = off_t(offset)
        var left = length
        while left > 0 {
            let sent = Glibc.sendfile(descriptor, file, &position, left)
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw ConnectionGone() }
            left -= sent
        }
    }

    /// Stops reads and writes at once (a blocked reader wakes up).
    func shutdownBoth() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Before closing a connection whose client may still be sending bytes
    /// nobody will read: closing at once would make the kernel answer them
    /// with a reset, which can destroy the response before the client reads
    /// it. So: stop writing, read and drop what comes for up to `seconds`
    /// (RFC 9112 §9.6's staged close, nginx's lingering close). The owner
    /// closes the descriptor after (under its lock: see `SocketServer`).
    func linger(seconds: Double = 2) {
        _ = shutdown(descriptor, Int32(SHUT_WR))
        SocketTimeout.set(on: descriptor, seconds: 0.5, sends: false)
        let deadline = MonotonicClock.seconds() + seconds
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while MonotonicClock.seconds() < deadline {
            let got = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }
}

/// The client went away (reset, broken pipe, write timeout).
struct ConnectionGone: Error, CustomStringConvertible {
    var description: String { "the client connection is gone" }
}
