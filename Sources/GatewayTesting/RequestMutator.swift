/// Deterministic mutations of raw request bytes, for fuzzing a server or an
/// application from a test: bytes flipped, inserted, deleted, repeated or
/// cut, drawn from a seeded generator so that a failing round can be
/// replayed.
///
/// ```swift
/// var mutator = RequestMutator(seed: 42)
/// var bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
/// mutator.mutate(&bytes)   // e.g. "GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n"
/// ```
public struct RequestMutator: Sendable {
    /// The bytes mutations insert or write: the ones HTTP parsers trip on.
    public static let interesting: [UInt8] = Array("\r\n\0 \t:;,-0f+x\"=".utf8) + [0x0B, 0x7F, 0x80, 0xFF]

    private var state: UInt64

    /// A mutator whose mutations are the same for the same `seed`.
    public init(seed: UInt64) { state = seed }

    /// A number in `0..<bound` (SplitMix64).
    public mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    /// Applies one random mutation; `truncate` allows cutting the end off
    /// (which leaves most requests incomplete).
    public mutating func mutate(_ bytes: inout [UInt8], truncate: Bool = true) {
        guard !bytes.isEmpty else { return }
        let at = next(below: bytes.count)
        let byte = Self.interesting[next(below: Self.interesting.count)]
        switch next(below: truncate ? 5 : 4) {
        case 0: bytes[at] = byte
        case 1: bytes.insert(byte, at: at)
        case 2: bytes.remove(at: at)
        case 3:
            let end = min(bytes.count, at + 1 + next(below: 12))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        default: bytes.removeLast(next(below: min(bytes.count, 20)))
        }
    }
}
