/// The byte classes of HTTP's grammar (RFC 9110 §5.6, RFC 9112, RFC 3986),
/// written once for every parser and check in the package. Each is a table
/// lookup: they run for every byte of every request.
package enum HTTPCharacters {
    // @inlinable: called for every byte of every request from other
    // modules; each is a few compares, no table (a global would cost a
    // lazy-initialisation check per call).

    /// `tchar`: letters, digits and ``!#$%&'*+-.^_`|~`` (a method, a field name).
    @inlinable @inline(__always)
    package static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E...0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// A byte allowed inside a field value: HTAB, SP, `VCHAR` and `obs-text`;
    /// never CR, LF, NUL, another control byte or DEL.
    @inlinable @inline(__always)
    package static func isFieldValue(_ byte: UInt8) -> Bool { byte >= 0x20 ? byte != 0x7F : byte == 0x09 }

    /// A byte of a request target: visible ASCII (`VCHAR`), no spaces or controls.
    @inlinable @inline(__always)
    package static func isTarget(_ byte: UInt8) -> Bool { byte &- 0x21 < 0x5E }

    /// `OWS`: SP or HTAB.
    @inlinable @inline(__always)
    package static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    @inlinable @inline(__always)
    package static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of a hex digit (`HEXDIG`, either case), or nil.
    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
    package static func isHostName(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x24...0x2E, 0x3B, 0x3D, 0x5F, 0x7E: true  // ! $ % & ' ( ) * + , - . ; = _ ~
        default: false
        }
    }

    /// ASCII lower case of a letter; other bytes unchanged.
    @inlinable @inline(__always)
    package static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// True when `bytes` equals `lowercaseName` ignoring ASCII case.
    @inlinable
    package static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercaseName: StaticString) -> Bool {
        guard bytes.count == lowercaseName.utf8CodeUnitCount else { return false }
        let name = lowercaseName.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != name[index] { return false }
        return true
    }
}
