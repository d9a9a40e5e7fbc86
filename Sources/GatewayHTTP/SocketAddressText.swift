#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Gateway

/// Turns a socket address into host text and port.
package enum SocketAddressText {
    package static func describe(_ storage: sockaddr_storage) throws -> ServerAddress {
        var storage = storage
        return try withUnsafePointer(to: &storage) { pointer in
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
            let status = pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, socklen_t(MemoryLayout<sockaddr_storage>.size), &host, socklen_t(host.count),
                            &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
            guard status == 0 else {
                throw SocketError.resolve(host: "?", reason: String(cString: gai_strerror(status)))
            }
            let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let serviceText = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return ServerAddress(host: hostText, port: Int(serviceText) ?? 0)
        }
    }
}
