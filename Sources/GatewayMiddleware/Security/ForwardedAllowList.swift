/// The peers whose `X-Forwarded-*` / `Forwarded` headers are believed
/// (gunicorn's `--forwarded-allow-ips`): IP addresses, CIDR ranges, `unix`
/// for peers on a unix-domain socket, or `*` for everyone. Empty trusts no one.
///
/// ```swift
/// let trusted = try ForwardedAllowList("127.0.0.1, 10.0.0.0/8, ::1, unix")
/// trusted.contains("10.1.2.3")       // true
/// trusted.contains("192.0.2.1")      // false
/// ```
public struct ForwardedAllowList: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        let network: IPAddress
        let prefix: Int

        func contains(_ address: IPAddress) -> Bool {
            guard address.bytes.count == network.bytes.count else { return false }
            var left = prefix
            for (a, b) in zip(address.bytes, network.bytes) {
                guard left > 0 else { return true }
                let bits = min(left, 8)
                let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
                if a & mask != b & mask { return false }
                left -= bits
            }
            return true
        }
    }

    var ranges: [Range] = []
    /// Peers on a unix-domain socket are trusted (`unix`).
    public private(set) var trustsUnix = false
    /// Every peer is trusted (`*`).
    public private(set) var trustsEveryone = false

    /// Trusts no one.
    public init() {}

    /// Parses a comma-separated list; an entry that is neither an address,
    /// a CIDR range, `unix` nor `*` throws, naming it.
    public init(_ text: String) throws {
        for rawEntry in text.split(separator: ",") {
            let entry = rawEntry.trimmingSpaces()
            if entry.isEmpty { continue }
            switch entry {
            case "*": trustsEveryone = true
            case "unix": trustsUnix = true
            default:
                let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                guard let address = IPAddress(String(parts[0])) else { throw ForwardedAllowListError(entry: entry) }
                let width = address.bytes.count * 8
                var prefix = width
                if parts.count == 2 {
                    guard let value = Int(parts[1]), (0...width).contains(value) else { throw ForwardedAllowListError(entry: entry) }
                    // An IPv4-mapped range such as ::ffff:10.0.0.0/104 counts its prefix past the mapping.
                    prefix = address.bytes.count == 4 && String(parts[0]).contains(":") ? max(value - 96, 0) : value
                }
                ranges.append(Range(network: address, prefix: prefix))
            }
        }
    }

    /// True when this list trusts no one.
    public var isEmpty: Bool { ranges.isEmpty && !trustsUnix && !trustsEveryone }

    /// Whether a peer address (REMOTE_ADDR) is trusted.
    public func contains(_ peer: String) -> Bool {
        if trustsEveryone { return true }
        guard let address = IPAddress(peer) else { return false }
        return contains(address)
    }

    func contains(_ address: IPAddress) -> Bool {
        trustsEveryone || ranges.contains { $0.contains(address) }
    }
}

/// An entry of `--forwarded-allow-ips` that is not an address, range, `unix` or `*`.
public struct ForwardedAllowListError: Error, Equatable, CustomStringConvertible {
    /// The entry as given.
    public let entry: String
    /// The error for `entry`.
    public init(entry: String) { self.entry = entry }
    /// The error in words, naming the entry and what would be accepted.
    public var description: String {
        "forwarded-allow-ips: '\(entry)' is not an IP address, a CIDR range, 'unix' or '*'"
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
