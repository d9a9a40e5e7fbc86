import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Refuses requests whose body framing is ambiguous, which evhttp 2.1 would
/// read leniently: a `Transfer-Encoding` other than exactly `chunked` falls
/// back to Content-Length, and of two Content-Lengths the first wins. A proxy
/// in front may read the same bytes differently (request smuggling), so these
/// get a 400 and the connection is closed.
enum FramingCheck {
    /// Why the request is refused, or nil when its framing is clear.
    static func refusal(for request: EvhttpRequest) -> String? {
        var lengths: [String] = []
        var encodings: [String] = []
        request.forEachHeader { key, value in
            if strcasecmp(key, "Content-Length") == 0 {
                lengths.append(String(cString: value))
            } else if strcasecmp(key, "Transfer-Encoding") == 0 {
                encodings.append(String(cString: value))
            }
        }
        if !encodings.isEmpty {
            if !lengths.isEmpty { return "both Transfer-Encoding and Content-Length" }
            if encodings.count > 1 || encodings[0].lowercased() != "chunked" {
                return "Transfer-Encoding \(encodings.joined(separator: ", ").debugDescription) is not just chunked"
            }
        }
        if let first = lengths.first {
            if lengths.contains(where: { $0 != first }) { return "differing Content-Length headers" }
            if first.isEmpty || !first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                return "invalid Content-Length \(first.debugDescription)"
            }
        }
        return nil
    }
}
