import Gateway

/// The one HTTP/1.1 request parser of the package (RFC 9112, RFC 9110),
/// incremental and push-based: both servers feed it every byte they
/// receive, in whatever pieces the network delivers, and act on its answer.
///
/// It refuses rather than guesses, so that what it accepts a proxy in front
/// reads the same way and nothing can be smuggled past it:
/// - request line: a token method, one SP, a target in the form the method
///   allows, one SP, `HTTP/1.0` or `HTTP/1.1` (`HTTP/1.x` for a higher x is
///   read as 1.1, RFC 9110 §2.5; another major version is 505); 414 past
///   ``Limits/maxRequestLine``;
/// - lines end in CRLF: a bare LF or a bare CR is 400;
/// - field lines: a token name, the colon right after it, OWS (SP, HTAB)
///   trimmed at both ends, no control byte in the value, no obs-fold; 431
///   past ``Limits/maxHeaderBytes`` or ``Limits/maxHeaderCount``;
/// - exactly one valid `Host` on HTTP/1.1, at most one on HTTP/1.0;
/// - framing: `Content-Length` of digits only (equal repeats allowed),
///   never together with `Transfer-Encoding`, whose last coding must be
///   `chunked` (other codings 501; any TE on HTTP/1.0 is 400); a declared
///   body over ``Limits/maxBodyBytes`` is 413 before any of it is read;
///   HEAD and TRACE may not carry a body (RFC 9110 §9.3.2, §9.3.8);
/// - chunked bodies: sizes of hex digits only, extensions checked and
///   ignored up to ``Limits/maxChunkLine``, CRLF after each chunk's data,
///   trailer fields under the same rules and limits as the header.
///
/// ```swift
/// var parser = RequestParser(limits: .init())
/// bytes.withUnsafeBytes { input in
///     var offset = 0
///     while true {
///         let (used, event) = parser.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
///         offset += used
///         switch event {
///         case .needMore: return                  // wait for more bytes
///         case .head(let head): print(head.method, head.target)
///         case .body(let range): print(range.count, "body bytes") // within the piece just passed
///         case .end: print("request complete")
///         case .refused(let refusal): return print(refusal.status)
///         }
///     }
/// }
/// ```
package struct RequestParser {
    /// What a client may send, with the status for going past each limit.
    package struct Limits: Sendable, Equatable {
        /// Longest request line (-> 414).
        package var maxRequestLine = 8 * 1024
        /// Most bytes of field lines in the header, and again in the trailers (-> 431).
        package var maxHeaderBytes = 64 * 1024
        /// Most field lines in the header, and again in the trailers (-> 431).
        package var maxHeaderCount = 100
        /// Largest body, declared or received (-> 413).
        package var maxBodyBytes = 64 * 1024 * 1024
        /// Longest chunk-size line, extensions included (-> 400).
        package var maxChunkLine = 4 * 1024

        package init() {}
    }

    /// What the bytes passed to ``parse(_:)`` amount to.
    package enum Event: Equatable {
        /// Every byte passed was taken; more are needed.
        case needMore
        /// A request head, checked; its body (if any) follows.
        case head(RequestHead)
        /// Body bytes (de-chunked): offsets into the bytes just passed.
        case body(Range<Int>)
        /// The request (head and body) is complete; the next one may follow.
        case end
        /// The request is refused; the parser takes no more bytes.
        case refused(RequestRefusal)

        package static func == (lhs: Event, rhs: Event) -> Bool {
            switch (lhs, rhs) {
            case (.needMore, .needMore), (.end, .end): true
            case let (.head(a), .head(b)): a.method == b.method && a.target == b.target && a.framing == b.framing
            case let (.body(a), .body(b)): a == b
            case let (.refused(a), .refused(b)): a == b
            default: false
            }
        }
    }

    private enum State {
        case requestLine
        case fieldLine
        /// The head was reported; the next call reports the body or its absence.
        case headDone
        case lengthBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd(sawCR: Bool)
        case trailerLine
        /// The whole request was read; the next call reports ``Event/end``.
        case complete
        case refused(RequestRefusal)
    }

    package let limits: Limits
    private var state = State.requestLine
    /// The line being collected, without its line end.
    private var line: [UInt8] = []
    /// Field-line bytes and lines so far in this header or trailer section.
    private var sectionBytes = 0
    private var sectionLines = 0
    private var emptyLinesBeforeRequest = 0
    private var head: RequestHead?
    private var fields = FieldSummary()
    private var bodyReceived = 0

    package init(limits: Limits) {
        self.limits = limits
        line.reserveCapacity(256)
    }

    /// True between requests: no byte of the next one has arrived.
    package var isIdle: Bool {
        if case .requestLine = state { return line.isEmpty && emptyLinesBeforeRequest == 0 }
        return false
    }

    /// True while a request's body is arriving with a known length.
    package var bodyBytesExpected: Int {
        if case .lengthBody(let remaining) = state { return remaining }
        return 0
    }

    /// Takes `count` body bytes of a Content-Length body without looking at
    /// them (a server that forwards them untouched). `count` must be at most
    /// ``bodyBytesExpected``.
    package mutating func skipBody(_ count: Int) {
        guard case .lengthBody(let remaining) = state, count <= remaining else {
            preconditionFailure("skipBody(\(count)) outside a Content-Length body")
        }
        state = remaining == count ? .complete : .lengthBody(remaining: remaining - count)
    }

    /// The client closed its side: nil when that ended no request midway,
    /// else the refusal for the request it cut short.
    package mutating func finish() -> RequestRefusal? {
        switch state {
        case .requestLine where isIdle, .complete, .refused:
            return nil
        default:
            return refuse(.badRequest("connection closed mid-request"))
        }
    }

    /// Parses from the start of `bytes`; returns how many it used and what they meant.
    /// Call again with the bytes after the used ones until it answers ``Event/needMore``.
    package mutating func parse(_ bytes: UnsafeRawBufferPointer) -> (consumed: Int, event: Event) {
        var index = 0
        while true {
            switch state {
            case .refused(let refusal):
                return (0, .refused(refusal))
            case .complete:
                state = .requestLine
                head = nil
                return (index, .end)
            case .headDone:
                state = bodyState()
                if case .refused(let refusal) = state { return (index, .refused(refusal)) }
            case .lengthBody(let remaining):
                guard index < bytes.count else { return (index, .needMore) }
                let taken = min(remaining, bytes.count - index)
                state = taken == remaining ? .complete : .lengthBody(remaining: remaining - taken)
                return (index + taken, .body(index..<(index + taken)))
            case .chunkData(let remaining):
                guard index < bytes.count else { return (index, .needMore) }
                let taken = min(remaining, bytes.count - index)
                state = taken == remaining ? .chunkDataEnd(sawCR: false) : .chunkData(remaining: remaining - taken)
                return (index + taken, .body(index..<(index + taken)))
            case .chunkDataEnd(let sawCR):
                guard index < bytes.count else { return (index, .needMore) }
                let byte = bytes[index]
                index += 1
                if !sawCR && byte == 0x0D {
                    state = .chunkDataEnd(sawCR: true)
                } else if sawCR && byte == 0x0A {
                    state = .chunkSizeLine
                } else {
                    return (index, .refused(refuse(.badRequest("chunk data not followed by CRLF"))))
                }
            case .requestLine, .fieldLine, .chunkSizeLine, .trailerLine:
                guard index < bytes.count else { return (index, .needMore) }
                guard let lineEnd = collectLine(from: bytes, at: &index) else {
                    if case .refused(let refusal) = state { return (index, .refused(refusal)) }
                    return (index, .needMore)
                }
                _ = lineEnd
                if let event = lineCompleted() { return (index, event) }
            }
        }
    }

    // MARK: - Lines

    /// Adds bytes up to and including the next LF to ``line``; returns nil
    /// when the bytes ran out (or the line was refused) first.
    private mutating func collectLine(from bytes: UnsafeRawBufferPointer, at index: inout Int) -> Int? {
        let start = index
        let newline = bytes[start...].firstIndex(of: 0x0A)
        let end = newline ?? bytes.count
        let limit = lineLimit
        if line.count + (end - start) > limit.bytes + 1 {  // +1: the CR
            index = end
            refuse(limit.refusal)
            return nil
        }
        line.append(contentsOf: bytes[start..<end])
        guard let newline else {
            index = end
            return nil
        }
        index = newline + 1
        guard line.last == 0x0D else {
            refuse(.badRequest("bare LF: lines end in CRLF"))
            return nil
        }
        line.removeLast()
        if line.contains(0x0D) {
            refuse(.badRequest("bare CR"))
            return nil
        }
        return newline
    }

    private var lineLimit: (bytes: Int, refusal: RequestRefusal) {
        switch state {
        case .requestLine:
            (limits.maxRequestLine, RequestRefusal(status: 414, reason: "request line over \(limits.maxRequestLine) bytes"))
        case .chunkSizeLine:
            (limits.maxChunkLine, .badRequest("chunk-size line over \(limits.maxChunkLine) bytes"))
        default:
            (limits.maxHeaderBytes - sectionBytes,
             RequestRefusal(status: 431, reason: "header fields over \(limits.maxHeaderBytes) bytes"))
        }
    }

    /// A whole line is in ``line``: act on it.
    private mutating func lineCompleted() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .requestLine:
            if line.isEmpty {  // RFC 9112 §2.2: ignore a few empty lines before a request
                emptyLinesBeforeRequest += 1
                if emptyLinesBeforeRequest > 8 { return .refused(refuse(.badRequest("empty lines instead of a request"))) }
                return nil
            }
            emptyLinesBeforeRequest = 0
            switch parseRequestLine() {
            case .success(let parsed):
                head = parsed
                fields = FieldSummary()
                sectionBytes = 0
                sectionLines = 0
                bodyReceived = 0
                state = .fieldLine
                return nil
            case .failure(let refusal):
                return .refused(refuse(refusal))
            }
        case .fieldLine:
            if line.isEmpty { return headCompleted() }
            if let refusal = addFieldLine(trailer: false) { return .refused(refuse(refusal)) }
            return nil
        case .trailerLine:
            if line.isEmpty {
                state = .complete
                return nil
            }
            if let refusal = addFieldLine(trailer: true) { return .refused(refuse(refusal)) }
            return nil
        case .chunkSizeLine:
            return chunkSizeLineCompleted()
        default:
            return nil
        }
    }

    @discardableResult
    private mutating func refuse(_ refusal: RequestRefusal) -> RequestRefusal {
        state = .refused(refusal)
        line.removeAll()
        return refusal
    }

    // MARK: - Request line

    private func parseRequestLine() -> Result<RequestHead, RequestRefusal> {
        let parts = line.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.badRequest("malformed request line")) }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(HTTPCharacters.isToken) else {
            return .failure(.badRequest("invalid method"))
        }
        guard !target.isEmpty, target.allSatisfy(HTTPCharacters.isTarget) else {
            return .failure(.badRequest("invalid request target"))
        }
        guard version.count == 8, version.starts(with: "HTTP/".utf8),
              case let major = version[version.startIndex + 5], HTTPCharacters.isDigit(major),
              version[version.startIndex + 6] == UInt8(ascii: "."),
              case let minor = version[version.startIndex + 7], HTTPCharacters.isDigit(minor)
        else { return .failure(.badRequest("invalid HTTP version")) }
        guard major == UInt8(ascii: "1") else {
            return .failure(RequestRefusal(status: 505, reason: "HTTP/\(major - 0x30).\(minor - 0x30) is not supported"))
        }
        let methodName = String(decoding: method, as: UTF8.self)
        if let problem = Self.targetProblem(target, method: methodName) { return .failure(.badRequest(problem)) }
        return .success(RequestHead(
            method: methodName, target: String(decoding: target, as: UTF8.self),
            minorVersion: minor == UInt8(ascii: "0") ? 0 : 1, headers: [], framing: .none,
            keepAlive: false, expectsContinue: false))
    }

    /// Why `target` is not a request-target form `method` may use (RFC 9112 §3.2), or nil.
    private static func targetProblem(_ target: ArraySlice<UInt8>, method: String) -> String? {
        if method == "CONNECT" {
            return isAuthorityForm(target) ? nil : "CONNECT needs host:port"
        }
        if target.first == UInt8(ascii: "/") { return nil }  // origin-form
        if target.elementsEqual("*".utf8) {
            return method == "OPTIONS" ? nil : "asterisk-form is for OPTIONS only"
        }
        // absolute-form: scheme "://" authority path (RFC 9112 §3.2.2: an http or https URI)
        guard let colon = target.firstIndex(of: UInt8(ascii: ":")), colon > target.startIndex,
              target[colon...].starts(with: "://".utf8),
              let first = target.first, HTTPCharacters.lowercased(first) &- 0x61 < 26,
              target[..<colon].allSatisfy({ HTTPCharacters.isToken($0) && $0 != UInt8(ascii: "_") })
        else { return "request target is neither a path nor an absolute URI" }
        return nil
    }

    private static func isAuthorityForm(_ target: ArraySlice<UInt8>) -> Bool {
        guard let colon = target.lastIndex(of: UInt8(ascii: ":")), colon > target.startIndex else { return false }
        let port = target[(colon + 1)...]
        return !port.isEmpty && port.allSatisfy(HTTPCharacters.isDigit) && isHost(target)
    }

    // MARK: - Field lines

    private mutating func addFieldLine(trailer: Bool) -> RequestRefusal? {
        sectionBytes += line.count + 2
        sectionLines += 1
        if sectionLines > limits.maxHeaderCount {
            return RequestRefusal(status: 431, reason: "more than \(limits.maxHeaderCount) field lines")
        }
        if HTTPCharacters.isWhitespace(line[0]) { return .badRequest("obs-fold or whitespace before a field name") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .badRequest("field line without a colon") }
        let name = line[..<colon]
        guard !name.isEmpty else { return .badRequest("empty field name") }
        guard name.allSatisfy(HTTPCharacters.isToken) else {
            return .badRequest(HTTPCharacters.isWhitespace(name.last!) ? "whitespace before a colon" : "invalid field name")
        }
        var valueStart = colon + 1, valueEnd = line.endIndex
        while valueStart < valueEnd && HTTPCharacters.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && HTTPCharacters.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        guard value.allSatisfy(HTTPCharacters.isFieldValue) else { return .badRequest("control byte in a field value") }
        if trailer { return nil }  // checked, then dropped: PEP 3333 has no trailers
        if let refusal = fields.note(name: name, value: value) { return refusal }
        head!.headers.append((String(decoding: name, as: UTF8.self), decodeText(Array(value))))
        return nil
    }

    private mutating func headCompleted() -> Event {
        guard var head else { return .refused(refuse(.badRequest("no request line"))) }
        if let refusal = fields.framingProblem(minorVersion: head.minorVersion) { return .refused(refuse(refusal)) }
        let framing = fields.framing
        if case .length(let length) = framing, length > limits.maxBodyBytes {
            return .refused(refuse(RequestRefusal(status: 413, reason: "declared body of \(length) bytes, over \(limits.maxBodyBytes)")))
        }
        if framing != .none && (head.method == "HEAD" || head.method == "TRACE") {
            return .refused(refuse(.badRequest("\(head.method) with a body")))
        }
        head.framing = framing
        head.keepAlive = fields.connectionClose ? false : head.minorVersion >= 1 || fields.connectionKeepAlive
        head.expectsContinue = head.minorVersion >= 1 && fields.expectsContinue
        self.head = head
        state = .headDone
        return .head(head)
    }

    private mutating func bodyState() -> State {
        switch head?.framing ?? .none {
        case .none: return .complete
        case .length(let length): return .lengthBody(remaining: length)
        case .chunked:
            sectionBytes = 0
            sectionLines = 0
            return .chunkSizeLine
        }
    }

    // MARK: - Chunked bodies

    private mutating func chunkSizeLineCompleted() -> Event? {
        let digits = line.prefix(while: { HTTPCharacters.hexValue($0) != nil })
        guard !digits.isEmpty else { return .refused(refuse(.badRequest("invalid chunk size"))) }
        guard digits.count <= 15 else { return .refused(refuse(RequestRefusal(status: 413, reason: "chunk size too large"))) }
        guard Self.isChunkExtension(line[digits.endIndex...]) else {
            return .refused(refuse(.badRequest("invalid chunk size or extension")))
        }
        let size = digits.reduce(0) { $0 << 4 | Int(HTTPCharacters.hexValue($1)!) }
        bodyReceived += size
        if bodyReceived > limits.maxBodyBytes {
            return .refused(refuse(RequestRefusal(status: 413, reason: "chunked body over \(limits.maxBodyBytes) bytes")))
        }
        state = size == 0 ? .trailerLine : .chunkData(remaining: size)
        return nil
    }

    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )`, ext-value a
    /// token or a quoted-string (RFC 9112 §7.1.1).
    private static func isChunkExtension(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        func skipWhitespace() { while index < bytes.endIndex && HTTPCharacters.isWhitespace(bytes[index]) { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < bytes.endIndex && HTTPCharacters.isToken(bytes[index]) { index += 1 }
            return index > start
        }
        while true {
            skipWhitespace()
            if index == bytes.endIndex { return true }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipWhitespace()
            if index < bytes.endIndex && bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") { closed = true; break }
                    if byte == UInt8(ascii: "\\") {
                        guard index < bytes.endIndex, HTTPCharacters.isFieldValue(bytes[index]) else { return false }
                        index += 1
                    } else if !HTTPCharacters.isFieldValue(byte) {
                        return false
                    }
                }
                guard closed else { return false }
            } else if !token() {
                return false
            }
        }
    }
}

/// `Host` syntax (RFC 9110 §7.2, RFC 3986 §3.2.2): empty, or a reg-name,
/// IPv4 address or bracketed IP literal, with an optional port.
func isHost(_ value: some Collection<UInt8>) -> Bool {
    var rest = value[...]
    if rest.first == UInt8(ascii: "[") {
        guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { return false }
        let literal = rest[rest.index(after: rest.startIndex)..<close]
        guard !literal.isEmpty, literal.allSatisfy({
            HTTPCharacters.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                || HTTPCharacters.isHostName($0)
        }) else { return false }
        rest = rest[rest.index(after: close)...]
    } else {
        let end = rest.firstIndex(of: UInt8(ascii: ":")) ?? rest.endIndex
        guard rest[..<end].allSatisfy(HTTPCharacters.isHostName) else { return false }
        rest = rest[end...]
    }
    guard let colon = rest.first else { return true }
    return colon == UInt8(ascii: ":") && rest.dropFirst().allSatisfy(HTTPCharacters.isDigit)
}
