#if canImport(Glibc)
import Glibc
#endif
import GatewayTesting

/// The receiving end of `NOTIFY_SOCKET`, as systemd holds it: a unix
/// datagram socket in /tmp that collects what the service reports.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init(timeout: Int = 10) throws {
        let path = "/tmp/eventgateway-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.descriptor = descriptor
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestClientError.connect(errno: errno) }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next message, or nil after the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
