@_spi(GatewayKit) import Gateway

/// A cursor over the lists of tokens, parameters and quoted-strings that
/// ``RequestSyntax`` checks (RFC 9110 §5.6): each of those pieces is read
/// here, once, for every grammar built of them.
struct SyntaxScanner {
    private let bytes: UnsafeRawBufferPointer
    private var index: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    /// Nothing is left.
    var atEnd: Bool { index == bytes.endIndex }

    /// Skips spaces and tabs (OWS, BWS).
    mutating func skipWhitespace() {
        while index < bytes.endIndex && HTTPCharacters.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Takes `byte` when it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.endIndex, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Takes a token (`1*tchar`); nil, taking nothing, when none comes next.
    mutating func token() -> UnsafeRawBufferPointer? {
        let start = index
        while index < bytes.endIndex && HTTPCharacters.isToken(bytes[index]) { index += 1 }
        return index > start ? UnsafeRawBufferPointer(rebasing: bytes[start..<index]) : nil
    }

    /// Takes a token or a whole quoted-string (`DQUOTE *( qdtext /
    /// quoted-pair ) DQUOTE`); false when neither comes next.
    mutating func tokenOrQuotedString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return token() != nil }
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return true }
            if byte == UInt8(ascii: "\\") {
                // quoted-pair: HTAB, SP, VCHAR or obs-text, what a field value may hold.
                guard index < bytes.endIndex, HTTPCharacters.isFieldValue(bytes[index]) else { return false }
                index += 1
            } else if !HTTPCharacters.isFieldValue(byte) {
                return false
            }
        }
        return false  // not closed
    }
}
