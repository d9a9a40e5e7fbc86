import GatewayHTTP

/// libFuzzer's entry: the bytes as one stream, fed whole and then in small
/// pieces. The parser must not crash, must read both deliveries alike, and
/// must keep its promises about what it accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = read(bytes, step: size)
    let pieces = read(bytes, step: 1 + size % 7)
    if whole != pieces { fatalError("whole and piecewise reads differ: \(whole) vs \(pieces)") }
    return 0
}

private func read(_ bytes: UnsafeRawBufferPointer, step: Int) -> [String] {
    var limits = RequestParser.Limits()
    limits.maxHeaderBytes = 4096
    limits.maxBodyBytes = 1 << 16
    var parser = RequestParser(limits: limits)
    var log: [String] = []
    var start = 0
    repeat {
        let end = min(bytes.count, start + max(step, 1))
        var offset = start
        while true {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            let (used, event) = parser.parse(piece)
            precondition(used <= piece.count, "consumed more than given")
            switch event {
            case .needMore:
                precondition(used == piece.count, "needMore with bytes left")
                offset = end
            case .head(let head):
                precondition(!head.method.isEmpty && !head.target.isEmpty)
                precondition(head.values(of: "content-length").isEmpty || head.values(of: "transfer-encoding").isEmpty)
                for (_, value) in head.headers {
                    precondition(!value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" })
                }
                log.append("head \(head.method) \(head.target) \(head.headers.count) \(head.framing)")
            case .body(let range):
                precondition(range.upperBound <= piece.count)
                log.append("body \(range.count)")
            case .end:
                log.append("end")
            case .refused(let refusal):
                precondition((400...599).contains(refusal.status))
                log.append("refused \(refusal.status)")
                return merged(log)
            }
            if case .needMore = event { break }
            offset += used
        }
        start = end
    } while start < bytes.count
    return merged(log)
}

/// Body pieces joined, so that deliveries in different pieces compare equal.
private func merged(_ log: [String]) -> [String] {
    var result: [String] = []
    var body = 0
    for entry in log {
        if entry.hasPrefix("body ") {
            body += Int(entry.dropFirst(5))!
        } else {
            if body > 0 { result.append("body \(body)"); body = 0 }
            result.append(entry)
        }
    }
    if body > 0 { result.append("body \(body)") }
    return result
}
