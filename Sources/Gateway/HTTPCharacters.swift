/// The byte classes of HTTP's grammar (RFC 9110 §5.6, RFC 9112, RFC 3986),
/// written once for every parser and check in the package; they run for
/// every byte of every request.
///
/// Server plumbing, so behind an SPI (`@_spi(GatewayKit) import Gateway`)
/// rather than `package`: Swift 6.3 does not inline a `package` function
/// into another module even when it is `@inlinable`, and a call per byte
/// cost the parser a third of its time.
@_spi(GatewayKit)
public enum HTTPCharacters {
    // Each is a few compares, no table (a global would cost a
    // lazy-initialisation check per call).

    /// `tchar`: letters, digits and ``!#$%&'*+-.^_`|~`` (a method, a field name).
    @inlinable @inline(__always)
    public static func isToken(_ byte: UInt8) -> Bool {
        // One bit a byte, bytes 0-63 and 64-127: a shift and a mask, not a
        // chain of range compares (field names are a third of a browser's head).
        let below64: UInt64 = 0x03FF_6CFA_0000_0000, from64: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        return byte < 64 ? (below64 >> UInt64(byte)) & 1 != 0 : byte < 128 && (from64 >> UInt64(byte & 63)) & 1 != 0
    }

    /// A byte allowed inside a field value: HTAB, SP, `VCHAR` and `obs-text`;
    /// never CR, LF, NUL, another control byte or DEL.
    @inlinable @inline(__always)
    public static func isFieldValue(_ byte: UInt8) -> Bool { byte >= 0x20 ? byte != 0x7F : byte == 0x09 }

    /// A byte of a request target: visible ASCII (`VCHAR`), no spaces or controls.
    @inlinable @inline(__always)
    public static func isTarget(_ byte: UInt8) -> Bool { byte &- 0x21 < 0x5E }

    /// Checks a whole field value, eight bytes a step: `valid` when every
    /// byte passes ``isFieldValue(_:)``, `ascii` when none is above 0x7F.
    @inlinable
    public static func checkFieldValue(_ value: UnsafeRawBufferPointer) -> (valid: Bool, ascii: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs = ones &* 0x80
        var index = 0, seen: UInt64 = 0
        while index + 8 <= value.count {
            let word = value.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let deleteBytes = word ^ (ones &* 0x7F)
            // Any byte below 0x20, any 0x7F (exact tests for "some byte"):
            // then look byte by byte, since HTAB is allowed.
            let below = (word &- ones &* 0x20) & ~word & highs
            let delete = (deleteBytes &- ones) & ~deleteBytes & highs
            if below | delete != 0 {
                for offset in index..<(index + 8) where !isFieldValue(value[offset]) { return (false, false) }
            }
            seen |= word
            index += 8
        }
        while index < value.count {
            let byte = value[index]
            if !isFieldValue(byte) { return (false, false) }
            seen |= UInt64(byte)
            index += 1
        }
        return (true, seen & highs == 0)
    }

    /// How many bytes from the start of `bytes` are ``isToken(_:)``.
    @inlinable
    public static func tokenPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        while count < bytes.count && isToken(bytes[count]) { count += 1 }
        return count
    }

    /// `OWS`: SP or HTAB.
    @inlinable @inline(__always)
    public static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// `DIGIT`: 0 to 9.
    @inlinable @inline(__always)
    public static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of a hex digit (`HEXDIG`, either case), or nil.
    @inlinable @inline(__always)
    public static func hexValue(_ byte: UInt8) -> UInt8? {
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
    public static func isHostName(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x24...0x2E, 0x3B, 0x3D, 0x5F, 0x7E: true  // ! $ % & ' ( ) * + , - . ; = _ ~
        default: false
        }
    }

    /// ASCII lower case of a letter; other bytes unchanged.
    @inlinable @inline(__always)
    public static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// True when `bytes` equals `lowercaseName` ignoring ASCII case. For the
    /// bytes of a field name or value (no control byte but HTAB), and a name
    /// of lower-case letters, digits and `-`: OR-ing 0x20 lower-cases a
    /// letter, keeps a digit or `-`, and turns no other such byte into one of
    /// them, so eight bytes are compared a step.
    @inlinable
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercaseName: StaticString) -> Bool {
        let count = bytes.count
        guard count == lowercaseName.utf8CodeUnitCount else { return false }
        let name = UnsafeRawPointer(lowercaseName.utf8Start)
        var index = 0
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) | 0x2020_2020_2020_2020
            if word != name.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        while index < count {
            if bytes[index] | 0x20 != name.load(fromByteOffset: index, as: UInt8.self) { return false }
            index += 1
        }
        return true
    }
}
