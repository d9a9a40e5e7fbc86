/// The byte classes of HTTP's grammar (RFC 9110 §5.6, RFC 9112, RFC 3986),
/// written once for every parser and check in the package. Each is a table
/// lookup: they run for every byte of every request.
package enum HTTPCharacters {
    /// `tchar`: letters, digits and ``!#$%&'*+-.^_`|~`` (a method, a field name).
    @inline(__always)
    package static func isToken(_ byte: UInt8) -> Bool { table[Int(byte)] & token != 0 }

    /// A byte allowed inside a field value: HTAB, SP, `VCHAR` and `obs-text`;
    /// never CR, LF, NUL, another control byte or DEL.
    @inline(__always)
    package static func isFieldValue(_ byte: UInt8) -> Bool { table[Int(byte)] & fieldValue != 0 }

    /// A byte of a request target: visible ASCII (`VCHAR`), no spaces or controls.
    @inline(__always)
    package static func isTarget(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// `OWS`: SP or HTAB.
    @inline(__always)
    package static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    @inline(__always)
    package static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of a hex digit (`HEXDIG`, either case), or nil.
    @inline(__always)
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// A byte of a `Host` value's `reg-name` or IPv4 address (RFC 3986
    /// `unreserved`, `sub-delims` and `%` of `pct-encoded`).
    @inline(__always)
    package static func isHostName(_ byte: UInt8) -> Bool { table[Int(byte)] & hostName != 0 }

    /// ASCII lower case of a letter; other bytes unchanged.
    @inline(__always)
    package static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// True when `bytes` equals `lowercaseName` ignoring ASCII case.
    @inline(__always)
    package static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ lowercaseName: StaticString) -> Bool {
        guard bytes.count == lowercaseName.utf8CodeUnitCount else { return false }
        return lowercaseName.withUTF8Buffer { name in
            zip(bytes, name).allSatisfy { lowercased($0) == $1 }
        }
    }

    private static let token: UInt8 = 1, fieldValue: UInt8 = 2, hostName: UInt8 = 4

    private static let table: [UInt8] = (0...255).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        var classes: UInt8 = 0
        let alphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        if alphanumeric || Array("!#$%&'*+-.^_`|~".utf8).contains(byte) { classes |= token }
        if byte == 0x09 || (byte >= 0x20 && byte != 0x7F) { classes |= fieldValue }
        if alphanumeric || Array("-._~!$&'()*+,;=%".utf8).contains(byte) { classes |= hostName }
        return classes
    }
}
