import Foundation

/// A random number generator for fuzz tests whose rounds can be replayed:
/// SplitMix64 from a seed. ``forFuzzing(_:)`` takes the seed from
/// `GATEWAY_FUZZ_SEED` when set (decimal or `0x` hex), else draws a fresh
/// one, and prints it, so a failure seen once can be run again:
///
/// ```sh
/// GATEWAY_FUZZ_SEED=0x1234abcd swift test --filter FuzzTests
/// ```
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The variable a seed is read from.
    package static let environmentKey = "GATEWAY_FUZZ_SEED"

    /// The seed this generator started from.
    package let seed: UInt64
    private var state: UInt64

    /// The same numbers for the same `seed`.
    package init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// A generator for the fuzz test `test`, its seed printed (and given in
    /// the failure messages through ``replay``).
    package static func forFuzzing(_ test: String = #function) -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment[environmentKey].flatMap { text -> UInt64? in
            text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        }
        var system = SystemRandomNumberGenerator()
        let generator = SeededGenerator(seed: given ?? system.next())
        print("\(test): replay with \(generator.replay)")
        return generator
    }

    /// How to run the same rounds again: `GATEWAY_FUZZ_SEED=0x…`.
    package var replay: String { "\(Self.environmentKey)=0x\(String(seed, radix: 16))" }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `bytes` quoted, printable ASCII as is and every other byte escaped
/// (`\r`, `\n`, `\t`, `\"`, `\\`, else `\xHH`), cut after `limit`
/// bytes with the count of the rest: a fuzz input fit for a failure message.
package func escapedBytes(_ bytes: some Collection<UInt8>, limit: Int = 300) -> String {
    var text = "\""
    for byte in bytes.prefix(limit) {
        switch byte {
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\t"): text += "\\t"
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
        case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
        default: text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }
    text += "\""
    if bytes.count > limit { text += "… (\(bytes.count - limit) more bytes)" }
    return text
}

/// ``escapedBytes(_:limit:)`` of a string's UTF-8.
package func escapedBytes(_ text: String, limit: Int = 300) -> String {
    escapedBytes(Array(text.utf8), limit: limit)
}
