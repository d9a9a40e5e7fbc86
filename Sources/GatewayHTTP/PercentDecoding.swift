@_spi(GatewayKit) import Gateway

/// Decodes `%XX` escapes. The bytes are read as UTF-8, or as Latin-1 when they
/// are not valid UTF-8 (so no byte is lost, as in Python's servers). `+` is
/// left alone: it means a space only in form data, not in a path.
package func percentDecode(_ text: some StringProtocol) -> String {
    let utf8 = text.utf8
    guard utf8.contains(UInt8(ascii: "%")) else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = utf8.startIndex
    while index != utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "%"),
           let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), first != utf8.endIndex,
           let second = utf8.index(first, offsetBy: 1, limitedBy: utf8.endIndex), second != utf8.endIndex,
           let high = HTTPCharacters.hexValue(utf8[first]), let low = HTTPCharacters.hexValue(utf8[second]) {
            bytes.append(high << 4 | low)
            index = utf8.index(after: second)
        } else {
            bytes.append(byte)
            index = utf8.index(after: index)
        }
    }
    return decodeText(bytes)
}

/// Bytes as text: UTF-8 when valid, otherwise Latin-1 (every byte kept).
package func decodeText(_ bytes: [UInt8]) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}
