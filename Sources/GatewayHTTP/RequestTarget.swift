/// The request-target of a request line, split the way the environ needs it:
/// `PATH_INFO` percent-decoded, `QUERY_STRING` raw.
///
/// ```swift
/// let target = RequestTarget("/a%20b/c?x=1&y=2")
/// target.path    // "/a b/c"
/// target.query   // "x=1&y=2"
/// ```
package struct RequestTarget: Sendable, Equatable {
    /// The decoded path (`PATH_INFO`).
    package var path: String
    /// The query without its `?`, as sent (`QUERY_STRING`).
    package var query: String

    /// Splits origin-form (`/p?q`), absolute-form (`http://host/p?q`) and
    /// asterisk-form (`*`) targets; a fragment, if any, is dropped.
    package init(_ raw: String) {
        // The usual target, a path with no escape, query or fragment, is its own PATH_INFO.
        var plain = raw
        if plain.withUTF8({ $0.first == UInt8(ascii: "/") && !$0.contains { $0 == 0x23 || $0 == 0x25 || $0 == 0x3F } }) {
            path = raw
            query = ""
            return
        }
        // Byte-wise: the target is ASCII on the wire, and Character-wise
        // scanning (grapheme breaking) cost more than the rest of the environ.
        let bytes = raw.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        var start = bytes.startIndex
        if bytes.first != UInt8(ascii: "/"), let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":")),
           bytes[colon...].starts(with: "://".utf8) {
            let authority = bytes.index(colon, offsetBy: 3)
            start = bytes[authority..<end].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
        }
        if let mark = bytes[start..<end].firstIndex(of: UInt8(ascii: "?")) {
            path = percentDecode(Substring(bytes[start..<mark]))
            query = String(Substring(bytes[bytes.index(after: mark)..<end]))
        } else {
            path = percentDecode(Substring(bytes[start..<end]))
            query = ""
        }
    }
}
