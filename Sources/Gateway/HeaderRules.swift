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
    // Checked for every response header: most names fail on length alone,
    // and the rest compare in place, without a lowercased copy.
    let length = headerName.utf8.count
    guard hopByHopLengths & (1 << min(length, 63)) != 0 else { return false }
    return hopByHopNames.contains { $0.utf8.count == length && $0.caseInsensitiveEquals(headerName) }
}

/// Bit n set: some hop-by-hop name is n bytes long.
private let hopByHopLengths: UInt64 = hopByHopNames.reduce(0) { $0 | 1 << $1.utf8.count }

/// Checks one response header the way the server will write it: a token as
/// the name, no control characters but tab in the value, not hop-by-hop.
func validateResponseHeader(name: String, value: String) throws {
    guard !name.isEmpty, withBytes(of: name, { HTTPCharacters.tokenPrefixLength($0) == $0.count }) else {
        throw GatewayError.invalidHeaderName(name)
    }
    guard withBytes(of: value, { HTTPCharacters.checkFieldValue($0).valid }) else {
        throw GatewayError.invalidHeaderValue(name: name)
    }
    if isHopByHop(name) { throw GatewayError.hopByHopHeader(name) }
}

/// `check` over the text's UTF-8 bytes: in place when the string is
/// contiguous (all native strings), a copy otherwise. The byte rules are the
/// parser's own (`HTTPCharacters`), so responses and requests agree.
@inline(__always)
private func withBytes(of text: String, _ check: (UnsafeRawBufferPointer) -> Bool) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { check(UnsafeRawBufferPointer($0)) }
        ?? Array(text.utf8).withUnsafeBytes(check)
}
