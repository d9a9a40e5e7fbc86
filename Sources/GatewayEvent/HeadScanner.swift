/// Follows a request head as its bytes arrive, to find where it ends (the
/// first empty line), how long it was, and whether it announces a chunked
/// body. evhttp parses the head itself; this only measures it, because
/// evhttp 2.1 refuses an oversized head with a bare 400 (the answer should
/// be 431) and reads chunk sizes too leniently (see ``ChunkedBodyScanner``).
struct HeadScanner {
    /// Bytes of the head seen so far (all of it once ``isComplete``).
    private(set) var count = 0
    /// The empty line that ends the head has been seen.
    private(set) var isComplete = false
    /// A `Transfer-Encoding` header names `chunked`.
    private(set) var announcesChunked = false
    /// The current line has a byte other than CR.
    private var lineHasContent = false
    /// Some line had content: empty lines before a request line do not end it.
    private var sawContent = false
    /// The start of the current line, kept only for lines that may be
    /// `Transfer-Encoding` (they start with `t`): a few bytes per request.
    private var line: [UInt8] = []
    private var keepingLine = false

    /// Takes the next bytes of the stream; returns how many belong to the
    /// head (all of them until its end).
    @discardableResult
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !isComplete else { return 0 }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\n") {
                if !lineHasContent && sawContent {
                    isComplete = true
                    count += index
                    return index
                }
                if keepingLine { lineEnded() }
                lineHasContent = false
                keepingLine = false
            } else if byte != UInt8(ascii: "\r") {
                if !lineHasContent {
                    keepingLine = sawContent && (byte | 0x20) == UInt8(ascii: "t")
                    line.removeAll(keepingCapacity: true)
                }
                lineHasContent = true
                sawContent = true
                if keepingLine && line.count < 256 { line.append(byte) }
            }
        }
        count += bytes.count
        return bytes.count
    }

    private static let transferEncoding = Array("transfer-encoding:".utf8)
    private static let chunked = Array("chunked".utf8)

    private mutating func lineEnded() {
        let name = Self.transferEncoding
        guard line.count > name.count, zip(line, name).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) else { return }
        let value = line[name.count...].map { $0 | 0x20 }
        let chunked = Self.chunked
        if value.count >= chunked.count,
           (0...(value.count - chunked.count)).contains(where: { value[$0..<($0 + chunked.count)].elementsEqual(chunked) }) {
            announcesChunked = true
        }
    }
}

/// Follows a chunked request body as it arrives and checks its framing the
/// way RFC 9112 §7.1 writes it: hex digits only for a chunk size (evhttp 2.1
/// reads it with `strtol`, so `0x5` and `+5` pass there, and a proxy in front
/// may have read them differently: request smuggling), CRLF after each
/// chunk, trailers ended by an empty line.
struct ChunkedBodyScanner {
    enum State: Equatable {
        case sizeLine
        case data(left: Int)
        case dataEnd(sawCR: Bool)
        case trailers
        /// The last chunk and the trailers are through; what follows is the next request.
        case done
        case invalid(String)
    }

    private(set) var state = State.sizeLine
    private var line: [UInt8] = []
    private var lineIsEmpty = true

    var isInvalid: Bool { if case .invalid = state { true } else { false } }
    var isOver: Bool { state == .done || isInvalid }

    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count && !isOver {
            switch state {
            case .data(let left):
                let taken = min(left, bytes.count - index)
                index += taken
                state = taken == left ? .dataEnd(sawCR: false) : .data(left: left - taken)
            case .dataEnd(let sawCR):
                let byte = bytes[index]
                index += 1
                if !sawCR && byte == UInt8(ascii: "\r") {
                    state = .dataEnd(sawCR: true)
                } else if sawCR && byte == UInt8(ascii: "\n") {
                    state = .sizeLine
                } else {
                    state = .invalid("chunk data not followed by CRLF")
                }
            case .sizeLine, .trailers:
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\n") {
                    lineEnded()
                } else if line.count < 8 * 1024 {
                    line.append(byte)
                } else {
                    state = .invalid(state == .sizeLine ? "chunk-size line too long" : "trailer too long")
                }
            case .done, .invalid:
                return
            }
        }
    }

    private mutating func lineEnded() {
        defer { line.removeAll(keepingCapacity: true) }
        guard line.last == UInt8(ascii: "\r") else { return state = .invalid("bare LF in chunked framing") }
        line.removeLast()
        if state == .trailers {
            if line.isEmpty { state = .done }
            return
        }
        let size = line.prefix { $0 != UInt8(ascii: ";") }
        guard !size.isEmpty, size.count <= 15, size.allSatisfy(\.isHexDigit) else {
            return state = .invalid("invalid chunk size \(String(decoding: size, as: UTF8.self).debugDescription)")
        }
        guard line[size.endIndex...].allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            return state = .invalid("control character in a chunk extension")
        }
        let length = Int(String(decoding: size, as: UTF8.self), radix: 16)!
        state = length == 0 ? .trailers : .data(left: length)
    }
}

private extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
