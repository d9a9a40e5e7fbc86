extension String {
    /// ASCII case-insensitive comparison, as header names need.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let mine = utf8, theirs = other.utf8
        guard mine.count == theirs.count else { return false }
        // Native strings are contiguous: compare bytes without iterators.
        if let result = mine.withContiguousStorageIfAvailable({ left in
            theirs.withContiguousStorageIfAvailable { right in
                for index in 0..<left.count where asciiLower(left[index]) != asciiLower(right[index]) { return false }
                return true
            }
        }), let result { return result }
        return zip(mine, theirs).allSatisfy { asciiLower($0) == asciiLower($1) }
    }
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}
