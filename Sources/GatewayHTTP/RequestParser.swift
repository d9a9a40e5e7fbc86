@_spi(GatewayKit) import Gateway
#if canImport(Glibc)
import Glibc
#endif

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
    /// A line that arrived in pieces, collected without its line end (a
    /// line that arrives whole is parsed where it lies).
    private var line: [UInt8] = []
    /// Field-line bytes and lines so far in this header or trailer section.
    private var sectionBytes = 0
    private var sectionLines = 0
    private var emptyLinesBeforeRequest = 0
    /// The head being read; handed over (not kept) once complete, so its
    /// fields' storage has one owner and the environ can take it over.
    private var head: RequestHead?
    private var bodyFraming = BodyFraming.none
    /// The request being read (or refused) is a HEAD: a refusal of it gets
    /// no body (RFC 9110 §9.3.2).
    package private(set) var isHeadRequest = false
    private var fields = FieldSummary()
    private var bodyReceived = 0

    package init(limits: Limits) {
        self.limits = limits
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
            return refuse(RequestRefusal(.cutShort))
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
                isHeadRequest = false
                return (index, .end)
            case .headDone:
                state = bodyState()
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
                    return (index, .refused(refuse(RequestRefusal(.chunkWithoutCRLF))))
                }
            case .requestLine, .fieldLine, .chunkSizeLine, .trailerLine:
                guard index < bytes.count else { return (index, .needMore) }
                switch takeLine(from: bytes, at: &index) {
                case .incomplete: return (index, .needMore)
                case .taken: continue
                case .event(let event): return (index, event)
                }
            }
        }
    }

    // MARK: - Lines

    /// What taking a line came to: the bytes ran out first, or the line was
    /// taken (and made an event, or not).
    private enum LineOutcome {
        case incomplete
        case taken
        case event(Event)
    }

    /// Takes bytes up to and including the next LF. A line that arrived
    /// whole is read where it lies; one split across calls is gathered in
    /// ``line`` first. Returns the event the line made, if any.
    private mutating func takeLine(from bytes: UnsafeRawBufferPointer, at index: inout Int) -> LineOutcome {
        let start = index
        let available = bytes.count - start
        let found = memchr(bytes.baseAddress! + start, 0x0A, available)
        let length = found.map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) - start } ?? available
        if line.count + length > lineLimit + 1 {  // +1: the CR
            if case .requestLine = state {
                let more = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
                isHeadRequest = (line.prefix(5) + more.prefix(5 - min(line.count, 5))).elementsEqual("HEAD ".utf8)
            }
            index = start + length
            return .event(.refused(refuse(lineLimitRefusal)))
        }
        guard found != nil else {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
            index = bytes.count
            return .incomplete
        }
        index = start + length + 1
        let event: Event?
        if line.isEmpty {
            event = lineEnded(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
        } else {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
            event = line.withUnsafeBytes { lineEnded($0) }
            line.removeAll(keepingCapacity: true)
        }
        return event.map(LineOutcome.event) ?? .taken
    }

    /// A line with its CR, without its LF: check the line end, then act on it.
    private mutating func lineEnded(_ raw: UnsafeRawBufferPointer) -> Event? {
        if case .requestLine = state { isHeadRequest = raw.starts(with: "HEAD ".utf8) }
        guard raw.last == 0x0D else { return .refused(refuse(RequestRefusal(.bareLineFeed))) }
        let text = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 1)])
        if !text.isEmpty, memchr(text.baseAddress!, 0x0D, text.count) != nil {
            return .refused(refuse(RequestRefusal(.bareCarriageReturn)))
        }
        return lineCompleted(text)
    }

    private var lineLimit: Int {
        switch state {
        case .requestLine: limits.maxRequestLine
        case .chunkSizeLine: limits.maxChunkLine
        default: limits.maxHeaderBytes - sectionBytes
        }
    }

    private var lineLimitRefusal: RequestRefusal {
        switch state {
        case .requestLine: RequestRefusal(.requestLineTooLong, "over \(limits.maxRequestLine) bytes")
        case .chunkSizeLine: RequestRefusal(.chunkSizeLineTooLong, "over \(limits.maxChunkLine) bytes")
        default: RequestRefusal(.headerTooLarge, "over \(limits.maxHeaderBytes) bytes")
        }
    }

    /// A whole line, without its line end: act on it.
    private mutating func lineCompleted(_ line: UnsafeRawBufferPointer) -> Event? {
        switch state {
        case .requestLine:
            if line.isEmpty {  // RFC 9112 §2.2: ignore a few empty lines before a request
                emptyLinesBeforeRequest += 1
                if emptyLinesBeforeRequest > 8 { return .refused(refuse(RequestRefusal(.emptyLinesBeforeRequest))) }
                return nil
            }
            emptyLinesBeforeRequest = 0
            switch parseRequestLine(line) {
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
            if let refusal = addFieldLine(line, trailer: false) { return .refused(refuse(refusal)) }
            return nil
        case .trailerLine:
            if line.isEmpty {
                state = .complete
                return nil
            }
            if let refusal = addFieldLine(line, trailer: true) { return .refused(refuse(refusal)) }
            return nil
        case .chunkSizeLine:
            return chunkSizeLineCompleted(line)
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

    private func parseRequestLine(_ line: UnsafeRawBufferPointer) -> Result<RequestHead, RequestRefusal> {
        guard let firstSpace = Self.offset(of: 0x20, in: line, from: 0),
              let secondSpace = Self.offset(of: 0x20, in: line, from: firstSpace + 1)
        else { return .failure(RequestRefusal(.malformedRequestLine)) }
        let method = UnsafeRawBufferPointer(rebasing: line[..<firstSpace])
        let target = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        let version = UnsafeRawBufferPointer(rebasing: line[(secondSpace + 1)...])
        guard !method.isEmpty, method.allSatisfy({ HTTPCharacters.isToken($0) }) else {
            return .failure(RequestRefusal(.invalidMethod))
        }
        guard !target.isEmpty, target.allSatisfy({ HTTPCharacters.isTarget($0) }) else {
            return .failure(RequestRefusal(.invalidTarget))
        }
        // No form of request target has a fragment (RFC 9112 §3.2): a client never sends one.
        guard memchr(target.baseAddress!, Int32(UInt8(ascii: "#")), target.count) == nil else {
            return .failure(RequestRefusal(.fragmentInTarget))
        }
        guard version.count == 8, version[0] == 0x48, version[1] == 0x54, version[2] == 0x54, version[3] == 0x50,
              version[4] == 0x2F, HTTPCharacters.isDigit(version[5]), version[6] == 0x2E, HTTPCharacters.isDigit(version[7])
        else { return .failure(RequestRefusal(.invalidVersion)) }
        let major = version[5], minor = version[7]
        guard major == UInt8(ascii: "1") else {
            return .failure(RequestRefusal(.unsupportedVersion, "HTTP/\(major - 0x30).\(minor - 0x30)"))
        }
        let methodName = String(decoding: method, as: UTF8.self)
        if let problem = RequestSyntax.targetProblem(target, method: methodName) { return .failure(RequestRefusal(.targetFormNotAllowed, problem)) }
        return .success(RequestHead(
            method: methodName, target: String(decoding: target, as: UTF8.self),
            minorVersion: minor == UInt8(ascii: "0") ? 0 : 1))
    }

    /// Where `byte` first occurs in `bytes` at or after `start`.
    private static func offset(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, Int32(byte), bytes.count - start) else { return nil }
        return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
    }

    // MARK: - Field lines

    private mutating func addFieldLine(_ line: UnsafeRawBufferPointer, trailer: Bool) -> RequestRefusal? {
        sectionBytes += line.count + 2
        sectionLines += 1
        if sectionLines > limits.maxHeaderCount {
            return RequestRefusal(.tooManyFields, "more than \(limits.maxHeaderCount)")
        }
        if HTTPCharacters.isWhitespace(line[0]) { return RequestRefusal(.whitespaceBeforeFieldName) }
        let colon = HTTPCharacters.tokenPrefixLength(line)
        guard colon < line.count, line[colon] == UInt8(ascii: ":") else {
            if memchr(line.baseAddress!, 0x3A, line.count) == nil { return RequestRefusal(.fieldLineWithoutColon) }
            if HTTPCharacters.isWhitespace(line[colon]) { return RequestRefusal(.whitespaceBeforeColon) }
            return RequestRefusal(.invalidFieldName)
        }
        guard colon > 0 else { return RequestRefusal(.emptyFieldName) }
        var valueStart = colon + 1, valueEnd = line.count
        while valueStart < valueEnd && HTTPCharacters.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && HTTPCharacters.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        let check = HTTPCharacters.checkFieldValue(value)
        guard check.valid else { return RequestRefusal(.controlByteInFieldValue) }
        if trailer { return nil }  // checked, then dropped: PEP 3333 has no trailers
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        if let refusal = fields.note(name: name, value: value) { return refusal }
        // ASCII (nearly every value) is valid UTF-8 as it is; other bytes are UTF-8 or Latin-1.
        head!.addField(name: name, value: check.ascii ? String(decoding: value, as: UTF8.self) : decodeText(Array(value)))
        return nil
    }

    private mutating func headCompleted() -> Event {
        guard var head else { return .refused(refuse(RequestRefusal(.malformedRequestLine))) }
        self.head = nil  // one owner of the fields from here: no copy when they change
        if let refusal = fields.framingProblem(minorVersion: head.minorVersion) { return .refused(refuse(refusal)) }
        let framing = fields.framing
        if case .length(let length) = framing, length > limits.maxBodyBytes {
            return .refused(refuse(RequestRefusal(.bodyTooLarge, "declared \(length) bytes, over \(limits.maxBodyBytes)")))
        }
        if framing != .none && (head.method == "HEAD" || head.method == "TRACE") {
            return .refused(refuse(RequestRefusal(.bodyNotAllowed, head.method)))
        }
        head.framing = framing
        if let authority = RequestSyntax.absoluteFormAuthority(of: head.target, method: head.method) {
            // RFC 9112 §3.2.2: the target's authority, not the Host field,
            // names the host; userinfo in it is an error (RFC 9110 §4.2.4).
            if authority.contains("@") { return .refused(refuse(RequestRefusal(.userinfoInTarget))) }
            // An http URI with an empty host is invalid (RFC 9110 §4.2.1).
            guard let first = authority.utf8.first, first != UInt8(ascii: ":"), RequestSyntax.isHost(authority.utf8)
            else { return .refused(refuse(RequestRefusal(.invalidTargetHost))) }
            head.setField("HTTP_HOST", to: authority)
        }
        if fields.declaresLength {
            // The length decided, not the field as sent (`005`, `5, 5`).
            // The field is there (it was declared): this replaces its value.
            if case .length(let length) = framing { head.setField("CONTENT_LENGTH", to: DecimalText.of(length)) } else { head.setField("CONTENT_LENGTH", to: "0") }
        }
        head.keepAlive = fields.connectionClose ? false : head.minorVersion >= 1 || fields.connectionKeepAlive
        head.expectsContinue = head.minorVersion >= 1 && fields.expectsContinue
        bodyFraming = framing
        state = .headDone
        return .head(head)
    }

    private mutating func bodyState() -> State {
        switch bodyFraming {
        case .none: return .complete
        case .length(let length): return .lengthBody(remaining: length)
        case .chunked:
            sectionBytes = 0
            sectionLines = 0
            return .chunkSizeLine
        }
    }

    // MARK: - Chunked bodies

    private mutating func chunkSizeLineCompleted(_ line: UnsafeRawBufferPointer) -> Event? {
        var digits = 0, size = 0
        while digits < line.count, let value = HTTPCharacters.hexValue(line[digits]) {
            digits += 1
            if digits > 15 { return .refused(refuse(RequestRefusal(.bodyTooLarge, "a chunk size of more than 15 hex digits"))) }
            size = size << 4 | Int(value)
        }
        guard digits > 0 else { return .refused(refuse(RequestRefusal(.invalidChunkSize))) }
        guard RequestSyntax.isChunkExtension(UnsafeRawBufferPointer(rebasing: line[digits...])) else {
            return .refused(refuse(RequestRefusal(.invalidChunkExtension)))
        }
        bodyReceived += size
        if bodyReceived > limits.maxBodyBytes {
            return .refused(refuse(RequestRefusal(.bodyTooLarge, "chunked, over \(limits.maxBodyBytes) bytes")))
        }
        state = size == 0 ? .trailerLine : .chunkData(remaining: size)
        return nil
    }
}
