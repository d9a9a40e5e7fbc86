/// Percent-decodes `%XX` escapes (bytes as Latin-1 where not UTF-8);
/// malformed escapes stay as they are.
func percentDecoded(_ text: String) -> String {
    guard text.contains("%") else { return text }
    var bytes: [UInt8] = []
    var input = Array(text.utf8)[...]
    while let byte = input.popFirst() {
        if byte == UInt8(ascii: "%"), input.count >= 2,
           let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) {
            bytes.append(value)
            input = input.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
}
