#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as bytes, for matching peers against trusted
/// proxies. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a server on
/// `::` sees for IPv4 clients) are taken as their IPv4 address.
///
/// ```swift
/// IPAddress("10.0.0.1")?.bytes.count   // 4
/// IPAddress("::1")?.bytes.count        // 16
/// IPAddress("example.com")             // nil
/// ```
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let bytes: [UInt8]

    /// Parses a numeric address (no brackets, no port, no zone).
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        let mapped = raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xff && raw[11] == 0xff
        bytes = mapped ? Array(raw[12...]) : raw
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The address in its usual form: dotted for IPv4, hexadecimal groups for IPv6 (not shortened with `::`).
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
