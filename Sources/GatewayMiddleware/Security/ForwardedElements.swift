@_spi(GatewayKit) import Gateway

/// The `Forwarded` header (RFC 7239) split into its elements, one per proxy
/// hop, each a map of lower-cased parameter names to values (quotes removed).
///
/// ```swift
/// let hops = try ForwardedElements.parse(#"for=192.0.2.60;proto=https, for="[2001:db8::1]:4711""#)
/// hops[0]["proto"]   // "https"
/// hops[1]["for"]     // "[2001:db8::1]:4711"
/// ```
public enum ForwardedElements {
    /// Parses the header's value; anything outside RFC 7239's grammar throws.
    public static func parse(_ value: String) throws(ForwardedHeaderError) -> [[String: String]] {
        var elements: [[String: String]] = []
        var current: [String: String] = [:]
        var bytes = Array(value.utf8)[...]
        func skipSpace() { while let byte = bytes.first, byte == 0x20 || byte == 0x09 { bytes.removeFirst() } }
        func malformed() -> ForwardedHeaderError { .malformed(header: "Forwarded", value: value) }

        while true {
            skipSpace()
            if let byte = bytes.first, byte != UInt8(ascii: ",") && byte != UInt8(ascii: ";") {
                let name = bytes.prefix { HTTPCharacters.isToken($0) }
                guard !name.isEmpty else { throw malformed() }
                bytes.removeFirst(name.count)
                guard bytes.first == UInt8(ascii: "=") else { throw malformed() }
                bytes.removeFirst()
                var parameter: [UInt8] = []
                if bytes.first == UInt8(ascii: "\"") {
                    bytes.removeFirst()
                    var closed = false
                    while let byte = bytes.popFirst() {
                        if byte == UInt8(ascii: "\"") { closed = true; break }
                        if byte == UInt8(ascii: "\\") {
                            guard let escaped = bytes.popFirst() else { throw malformed() }
                            parameter.append(escaped)
                        } else {
                            guard byte >= 0x20 || byte == 0x09, byte != 0x7f else { throw malformed() }
                            parameter.append(byte)
                        }
                    }
                    guard closed else { throw malformed() }
                } else {
                    let token = bytes.prefix { HTTPCharacters.isToken($0) }
                    guard !token.isEmpty else { throw malformed() }
                    bytes.removeFirst(token.count)
                    parameter = Array(token)
                }
                let key = String(decoding: name, as: UTF8.self).lowercased()
                guard current[key] == nil else { throw malformed() }  // a parameter twice in one hop
                current[key] = String(decoding: parameter, as: UTF8.self)
                skipSpace()
            }
            guard let separator = bytes.popFirst() else { break }
            switch separator {
            case UInt8(ascii: ";"): continue
            case UInt8(ascii: ","):
                if !current.isEmpty { elements.append(current) }
                current = [:]
            default: throw malformed()
            }
        }
        if !current.isEmpty { elements.append(current) }
        return elements
    }
}

/// A forwarding header from a trusted proxy that cannot be read: the request gets 400.
public enum ForwardedHeaderError: Error, Equatable, CustomStringConvertible {
    /// `header` (e.g. `X-Forwarded-For`) holds `value`, which is not a list of addresses (or `Forwarded` elements).
    case malformed(header: String, value: String)

    /// The error in words, naming the header and its value.
    public var description: String {
        switch self {
        case .malformed(let header, let value): return "malformed \(header) header: \(value.debugDescription)"
        }
    }
}
