@_spi(GatewayKit) import Gateway

/// The `Accept-Encoding` request header, read per RFC 9110 §12.5.3:
/// codings are case-insensitive, each may carry a weight `q` (0 refuses it),
/// `*` stands for every coding not named, and `identity` is acceptable unless
/// refused by name or by `*;q=0`. Malformed members are skipped, never fatal.
///
/// ```swift
/// let accepted = AcceptEncoding("gzip;q=0.8, br;q=1, *;q=0")
/// accepted.quality(of: "gzip")      // 0.8
/// accepted.quality(of: "identity")  // 0
/// ```
public struct AcceptEncoding: Sendable, Equatable {
    /// Each named coding (lower case) with its weight, 0...1.
    public private(set) var weights: [String: Double] = [:]
    /// The weight of `*`, when present.
    public private(set) var wildcard: Double?

    /// Parses a header value; nil (the header absent) accepts anything.
    public init(_ header: String?) {
        guard let header else { return }
        for member in header.split(separator: ",") {
            var parts = member.split(separator: ";", omittingEmptySubsequences: false).map {
                $0.trimmingWhitespace()
            }
            let coding = parts.removeFirst().lowercased()
            guard !coding.isEmpty, coding.utf8.allSatisfy({ HTTPCharacters.isToken($0) }) else { continue }
            var quality = 1.0
            var valid = true
            for parameter in parts where !parameter.isEmpty {
                let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    .map { $0.trimmingWhitespace() }
                guard pair[0].lowercased() == "q" else { continue }  // other parameters: ignored
                // `q` without a value (`q`, `q=`) is as malformed as `q=abc`.
                guard pair.count == 2, let weight = Self.parseWeight(pair[1]) else { valid = false; break }
                quality = weight
            }
            guard valid else { continue }
            if coding == "*" { wildcard = quality } else { weights[coding] = quality }
        }
    }

    /// How much the client wants `coding`: its own weight, else the
    /// wildcard's, else 1 for `identity` and 0 for the rest.
    public func quality(of coding: String) -> Double {
        let coding = coding.lowercased()
        if let weight = weights[coding] { return weight }
        if let wildcard { return wildcard }
        return coding == "identity" ? 1 : 0
    }

    /// True when the client takes `coding` at all.
    public func accepts(_ coding: String) -> Bool { quality(of: coding) > 0 }

    /// RFC 9110 qvalue: `0`, `0.###`, `1`, `1.000`; anything else is invalid.
    private static func parseWeight(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1"), bytes.count <= 5 else {
            return nil
        }
        if bytes.count > 1 {
            guard bytes[1] == UInt8(ascii: "."), bytes[2...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        }
        guard let value = Double(text), value <= 1 else { return nil }
        return value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
