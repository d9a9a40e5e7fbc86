@_spi(GatewayKit) import Gateway
import GatewayHTTP

// The `FuzzRequestParser` target of Package.swift. scripts/fuzz.sh builds it
// with `--sanitize fuzzer --sanitize address`, which links libFuzzer's main;
// a plain `swift build` compiles it too (so an API change breaks the build at
// once) into a program that does nothing.

/// libFuzzer's entry: the bytes as one stream, fed whole and then in pieces
/// of 1 to 7 bytes. The parser must not crash, must read both deliveries
/// alike, and must keep its promises about what it accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = read(bytes, step: size)
    let pieces = read(bytes, step: 1 + size % 7)
    if whole != pieces { fatalError("whole and piecewise reads differ: \(whole) vs \(pieces)") }
    return 0
}

private let limits: RequestParser.Limits = {
    var limits = RequestParser.Limits()
    limits.maxHeaderBytes = 4096
    limits.maxBodyBytes = 1 << 16
    return limits
}()

/// What the parser made of `bytes` fed `step` at a time, body pieces joined:
/// each event, then what `finish()` said of the end of the stream.
private func read(_ bytes: UnsafeRawBufferPointer, step: Int) -> [String] {
    var parser = RequestParser(limits: limits)
    var log: [String] = []
    var framing: GatewayHTTP.BodyFraming?  // of the request whose body is arriving
    var bodyBytes = 0
    var start = 0
    repeat {
        let end = min(bytes.count, start + max(step, 1))
        var offset = start
        while true {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            let (used, event) = parser.parse(piece)
            check(used <= piece.count, "consumed more than given")
            switch event {
            case .needMore:
                check(used == piece.count, "needMore with bytes left")
            case .head(let head):
                check(framing == nil, "a head before the previous request's end")
                checkPromises(head)
                framing = head.framing
                bodyBytes = 0
                let fields = head.fields.map { "\($0.key)=\($0.value)" }
                log.append("head \(head.method) \(head.target) 1.\(head.minorVersion) \(fields) \(head.framing)"
                    + " keepAlive=\(head.keepAlive) continue=\(head.expectsContinue)")
            case .body(let range):
                check(framing != nil && framing != GatewayHTTP.BodyFraming.none, "body without a head that declared one")
                check(!range.isEmpty && range.upperBound <= used, "body outside the bytes taken")
                bodyBytes += range.count
                check(bodyBytes <= limits.maxBodyBytes, "body over the limit")
                if case .length(let length)? = framing { check(bodyBytes <= length, "body past Content-Length") }
                log.append("body \(range.count)")
            case .end:
                guard let done = framing else { fail("end without a head") }
                if case .length(let length) = done { check(bodyBytes == length, "body short of Content-Length") }
                check(parser.isIdle, "not idle after a request's end")
                framing = nil
                log.append("end")
            case .refused(let refusal):
                check([400, 413, 414, 431, 501, 505].contains(refusal.status), "refused with \(refusal.status)")
                let again = parser.parse(piece)
                check(again.consumed == 0 && again.event == event, "a refusal that does not stick")
                check(parser.finish() == nil, "finish() after a refusal")
                log.append("refused \(refusal.status) \(refusal.reason)")
                return merged(log)
            }
            if case .needMore = event { break }
            offset += used
        }
        start = end
    } while start < bytes.count
    let cutShort = parser.finish()
    if let cutShort { check(cutShort.status == 400, "cut short with \(cutShort.status)") }
    log.append("finish \(cutShort.map { "\($0.status) \($0.reason)" } ?? "clean")")
    return merged(log)
}

/// What the parser promises of every head it accepts (RequestParser's rules,
/// RequestHead's fields).
private func checkPromises(_ head: RequestHead) {
    check(!head.method.isEmpty && head.method.utf8.allSatisfy { HTTPCharacters.isToken($0) }, "method")
    check(!head.target.isEmpty && head.target.utf8.allSatisfy { HTTPCharacters.isTarget($0) }, "target")
    check(head.minorVersion == 0 || head.minorVersion == 1, "version")
    var keys = Set<String>()
    for field in head.fields {
        let (key, value) = (field.key, field.value)
        check(keys.insert(key).inserted, "\(key) twice: repeats are joined")
        check(key.utf8.count > 5 && key.utf8.allSatisfy { HTTPCharacters.isToken($0) && !(0x61...0x7A).contains($0) },
                     "environ key \(key)")
        check(key == "CONTENT_LENGTH" || key == "CONTENT_TYPE" || key.hasPrefix("HTTP_"), "environ key \(key)")
        check(!value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F },
                     "control character in \(key)")
        check(value.first != " " && value.first != "\t" && value.last != " " && value.last != "\t",
                     "whitespace around \(key): \(value.debugDescription)")
    }
    let contentLength = head.field("CONTENT_LENGTH"), transferEncoding = head.field("HTTP_TRANSFER_ENCODING")
    check(contentLength == nil || transferEncoding == nil, "both Content-Length and Transfer-Encoding accepted")
    switch head.framing {
    case .none:
        check(transferEncoding == nil && (contentLength == nil || contentLength == "0"), "no body, yet framing fields")
    case .length(let length):
        check(length > 0 && length <= limits.maxBodyBytes, "declared length \(length)")
        check(contentLength == String(length), "CONTENT_LENGTH is not the decided length")
    case .chunked:
        check(transferEncoding != nil && head.minorVersion == 1, "chunked without Transfer-Encoding on 1.1")
    }
    if head.framing != .none { check(head.method != "HEAD" && head.method != "TRACE", "\(head.method) with a body") }
    if head.minorVersion == 1 { check(head.field("HTTP_HOST") != nil, "HTTP/1.1 without Host") }
    if head.expectsContinue { check(head.minorVersion == 1, "100-continue on HTTP/1.0") }
}

/// `precondition` that says why in an optimized build too (where
/// `precondition` traps without its message).
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("request parser: \(message)")
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
