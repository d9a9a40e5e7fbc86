/// Non-negative integers as decimal text, for header values such as
/// `Content-Length`: digits written into a small buffer and made a string
/// at once, without the standard library's generic formatting (several
/// hundred instructions a call, on every response).
///
/// ```swift
/// DecimalText.of(1024)   // "1024"
/// ```
package enum DecimalText {
    package static func of(_ value: Int) -> String {
        guard value >= 0 else { return String(value) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value, start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: 0x30 &+ rest % 10)
                rest /= 10
            } while rest > 0
            return String(decoding: UnsafeBufferPointer(rebasing: digits[start...]), as: UTF8.self)
        }
    }
}
