/// Finds a multipart delimiter (`CRLF--boundary`) in a stream of byte
/// blocks in linear time (Knuth–Morris–Pratt): each byte is looked at a
/// bounded number of times however the input repeats CR and LF, and a
/// delimiter split across blocks is still found.
///
/// Bytes that might begin a delimiter are held back until they are known
/// not to; the held bytes are always a prefix of the delimiter, so only
/// their count is kept.
struct BoundaryScanner {
    let delimiter: [UInt8]
    private let failure: [Int]
    /// How many delimiter bytes the input seen so far ends with.
    private(set) var matched = 0

    init(boundary: [UInt8]) {
        delimiter = Array("\r\n--".utf8) + boundary
        var failure = [Int](repeating: 0, count: delimiter.count)
        var k = 0
        for index in 1..<delimiter.count {
            while k > 0 && delimiter[index] != delimiter[k] { k = failure[k - 1] }
            if delimiter[index] == delimiter[k] { k += 1 }
            failure[index] = k
        }
        self.failure = failure
    }

    /// Scans `block`. Returns the part data that is certain (held-back
    /// bytes released plus new ones) and, when the delimiter ended inside
    /// `block`, the index just past it.
    mutating func scan(_ block: ArraySlice<UInt8>) -> (data: [UInt8], delimiterEnd: Int?) {
        let heldBefore = matched
        var data: [UInt8] = []
        // Data so far is: delimiter[0..<heldBefore] followed by block[start...].
        var consumed = 0
        for index in block.indices {
            let byte = block[index]
            while matched > 0 && delimiter[matched] != byte { matched = failure[matched - 1] }
            if delimiter[matched] == byte { matched += 1 }
            consumed += 1
            if matched == delimiter.count {
                matched = 0
                let dataLength = heldBefore + consumed - delimiter.count
                data.reserveCapacity(max(dataLength, 0))
                emit(heldBefore: heldBefore, block: block, count: dataLength, into: &data)
                return (data, index + 1)
            }
        }
        emit(heldBefore: heldBefore, block: block, count: heldBefore + consumed - matched, into: &data)
        return (data, nil)
    }

    /// The first `count` bytes of delimiter[0..<heldBefore] + block.
    private func emit(heldBefore: Int, block: ArraySlice<UInt8>, count: Int, into data: inout [UInt8]) {
        guard count > 0 else { return }
        let fromHeld = min(heldBefore, count)
        data += delimiter[0..<fromHeld]
        data += block.prefix(count - fromHeld)
    }
}
