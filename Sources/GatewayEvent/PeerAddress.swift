import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The address and port of a connection's client, as accept() gave it; a
/// unix-domain peer has none (`""`, 0), as on the socket server.
enum PeerAddress {
    static func of(_ address: UnsafeMutablePointer<sockaddr>?) -> (host: String, port: Int) {
        guard let address else { return ("", 0) }
        var storage = sockaddr_storage()
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: MemoryLayout<sockaddr_in>.size)) }
        case AF_INET6:
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: MemoryLayout<sockaddr_in6>.size)) }
        default:
            return ("", 0)
        }
        guard let described = try? SocketAddressText.describe(storage) else { return ("", 0) }
        return (described.host, described.port)
    }
}
