/// A single `Range: bytes=...` request (RFC 9110 §14.2), resolved against
/// a representation's length.
///
/// ```swift
/// ByteRange.parse("bytes=0-99", length: 1000)    // .satisfiable(0...99)
/// ByteRange.parse("bytes=-10", length: 1000)     // .satisfiable(990...999)
/// ByteRange.parse("bytes=2000-", length: 1000)   // .unsatisfiable
/// ```
public enum ByteRange: Equatable, Sendable {
    /// Serve these bytes with 206.
    case satisfiable(ClosedRange<Int>)
    /// Answer 416 with `Content-Range: bytes */length`.
    case unsatisfiable
    /// Serve the whole representation with 200: a header we do not handle
    /// (another unit, several ranges, a malformed one), which RFC 9110 lets
    /// a server ignore.
    case ignored

    /// What a `Range` header asks of a representation `length` bytes long:
    /// a single `bytes=` range (`first-last`, `first-`, or the suffix `-count`),
    /// clamped to the length.
    ///
    /// ```swift
    /// ByteRange.parse("bytes=0-99", length: 1000)    // .satisfiable(0...99)
    /// ByteRange.parse("bytes=-100", length: 1000)    // .satisfiable(900...999)
    /// ByteRange.parse("bytes=2000-", length: 1000)   // .unsatisfiable
    /// ByteRange.parse("items=1-2", length: 1000)     // .ignored
    /// ```
    public static func parse(_ header: String, length: Int) -> ByteRange {
        let header = header.trimmingWhitespace()
        guard header.lowercased().hasPrefix("bytes=") else { return .ignored }
        let spec = header.dropFirst(6).trimmingWhitespace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.utf8.count <= 18 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if first.isEmpty {
            guard digits(last), let suffix = Int(last) else { return .ignored }
            guard suffix > 0 else { return .unsatisfiable }
            // Satisfiable by RFC 9110 §14.1.1, yet no byte to select: the
            // whole (empty) representation, as nginx answers.
            guard length > 0 else { return .ignored }
            return .satisfiable(max(length - suffix, 0)...(length - 1))
        }
        guard digits(first), let start = Int(first) else { return .ignored }
        var end = length - 1
        if !last.isEmpty {
            guard digits(last), let given = Int(last), given >= start else { return .ignored }
            end = min(given, length - 1)
        }
        guard start < length else { return .unsatisfiable }
        return .satisfiable(start...end)
    }
}
