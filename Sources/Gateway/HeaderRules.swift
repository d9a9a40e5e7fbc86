/// The header names that belong to one connection, not to the response
/// (RFC 9110 §7.6.1): the server sets them, an application may not.
private let hopByHopNames = [
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
]

/// wsgiref.util.is_hop_by_hop: true for `Connection`, `Keep-Alive`,
/// `Transfer-Encoding` and the other per-connection headers, in any case.
///
/// ```swift
/// isHopByHop("Connection")   // true
/// isHopByHop("Content-Type") // false
/// ```
public func isHopByHop(_ headerName: String) -> Bool {
    // Checked for every response header: compare in place, no lowercased copy.
    hopByHopNames.contains { $0.caseInsensitiveEquals(headerName) }
}

/// Checks one response header the way the server will write it: a token as
/// the name, no control characters but tab in the value, not hop-by-hop.
func validateResponseHeader(name: String, value: String) throws {
    guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
        throw GatewayError.invalidHeaderName(name)
    }
    guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
        throw GatewayError.invalidHeaderValue(name: name)
    }
    if isHopByHop(name) { throw GatewayError.hopByHopHeader(name) }
}

/// RFC 9110 `tchar`: the bytes allowed in a header name or a method.
func isTokenByte(_ byte: UInt8) -> Bool {
    tokenTable[Int(byte)]
}

/// `tchar` as a lookup table: checked for every byte of every header name.
private let tokenTable: [Bool] = (0..<256).map { value in
    let byte = UInt8(value)
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
