/// Follows a request head as its bytes arrive, to find where it ends (the
/// first empty line) and how long it was. evhttp parses the head itself; this
/// only measures it, because evhttp 2.1 refuses an oversized head with a bare
/// 400, where the answer should be 431.
struct HeadScanner {
    /// Bytes of the head seen so far (all of it once ``isComplete``).
    private(set) var count = 0
    /// The empty line that ends the head has been seen.
    private(set) var isComplete = false
    /// The current line has a byte other than CR.
    private var lineHasContent = false
    /// Some line had content: empty lines before a request line do not end it.
    private var sawContent = false

    /// Takes the next bytes of the stream; stops counting at the head's end.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        guard !isComplete else { return }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\n") {
                if !lineHasContent && sawContent {
                    isComplete = true
                    count += index
                    return
                }
                lineHasContent = false
            } else if byte != UInt8(ascii: "\r") {
                lineHasContent = true
                sawContent = true
            }
        }
        count += bytes.count
    }
}
