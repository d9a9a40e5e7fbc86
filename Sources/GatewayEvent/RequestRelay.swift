import Gateway
import GatewayHTTP

/// Stands between a client and evhttp 2.1, whose parser is too lenient to
/// face one (DESIGN.md: `Name : v`, `+5` lengths, strtol chunk sizes, ...).
/// Every byte the client sends goes through the shared ``RequestParser``;
/// evhttp reads only what the relay writes for it:
/// - for an accepted request, a minimal head of our own making
///   (`POST / HTTP/1.1`, or `HEAD`, plus the framing, `Connection` and
///   `Expect` fields evhttp acts on), then the body: Content-Length bytes
///   as they came, a chunked body re-chunked without extensions or trailers.
///   The application sees the request as *we* parsed it (``takeNext()``);
/// - for a body past the spool threshold, a chunked body, or one the
///   ``BodyBudget`` has no room for: no body at all. The relay spools it
///   (``BodySpool``) and writes the head, as a bodiless request, only
///   when the body is complete; so evhttp never holds it, and the
///   application reads it from the spool;
/// - for a refused one, a stand-in request that the reactor answers with
///   the refusal's status, in its turn after the responses before it;
///   nothing the client sends after it is read.
struct RequestRelay {
    /// What evhttp will hand over next, in order.
    enum Pending {
        case request(RequestHead, Body)
        /// `toHead`: the refused request was a HEAD, whose answer has no body.
        case refused(RequestRefusal, toHead: Bool)
    }

    /// Where an accepted request's body is.
    enum Body {
        /// None, or in evhttp's buffer, with the budget it holds.
        case buffered(BodyBudget.Reservation?)
        /// Aside from evhttp, complete.
        case spooled(BodySpool)
    }

    /// How bodies are held: in evhttp's memory up to `threshold` bytes
    /// each while the shared budget lasts, else spooled to `directory`
    /// while the disk budget lasts, else refused with 503.
    struct BodyPolicy {
        let budget: BodyBudget
        /// Disk for spooled bodies, shared likewise.
        let disk: BodyBudget
        let threshold: Int
        let directory: String
    }

    private var parser: RequestParser
    private var pending: [Pending] = []
    private var pendingStart = 0
    /// The request whose body evhttp is being given, and whether it is chunked.
    private var forwardingBody = false
    private var chunked = false
    private let bodies: BodyPolicy
    /// The request whose body is being spooled; its head waits for the body's end.
    private var spooling: (head: RequestHead, spool: BodySpool)?
    /// A spooled request asked for `100 Continue`, which evhttp (not seeing
    /// its head yet) will not send: the connection must, unless some of the
    /// body arrives first (as evhttp omits it; RFC 9110 §10.1.1 lets it be).
    var continueWanted = false
    /// A request was refused: the connection reads nothing more.
    private(set) var isStopped = false
    /// A refusal came where no stand-in can be given (mid Content-Length
    /// body): the connection must simply close.
    private(set) var mustClose = false

    init(limits: RequestParser.Limits, bodies: BodyPolicy) {
        parser = RequestParser(limits: limits)
        self.bodies = bodies
    }

    /// True when no byte of a next request has arrived and none waits for evhttp.
    var isIdle: Bool { parser.isIdle && nothingPending }

    /// True when evhttp has been handed every request the relay wrote for it.
    var nothingPending: Bool { pendingStart == pending.count }

    /// Body bytes of a Content-Length body still to come: such bytes reach
    /// evhttp as they are, without a copy (``skipBody(_:)``).
    var bodyBytesExpected: Int { isStopped || spooling != nil ? 0 : parser.bodyBytesExpected }

    mutating func skipBody(_ count: Int) {
        parser.skipBody(count)
    }

    /// Parses `bytes` and appends to `output` what evhttp should read for
    /// them. Returns the refusals met (for the log).
    mutating func relay(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> RequestRefusal? {
        guard !isStopped else { return nil }
        var offset = 0
        while true {
            let (consumed, event) = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            defer { offset += consumed }
            switch event {
            case .needMore:
                return nil
            case .head(let head):
                if let reservation = admitToMemory(head) {
                    pending.append(.request(head, .buffered(reservation)))
                    forwardingBody = true
                    chunked = head.framing == .chunked
                    Self.writeHead(for: head, into: &output)
                } else {
                    // A chunked body may stay in memory up to the threshold, budget allowing.
                    let reservation = head.framing == .chunked ? bodies.budget.reserve(bodies.threshold) : nil
                    let expected: Int? = if case .length(let length) = head.framing { length } else { nil }
                    do {
                        let spool = try BodySpool(
                            reservation: reservation, disk: bodies.disk, expected: expected, directory: bodies.directory)
                        spooling = (head, spool)
                        if head.expectsContinue { continueWanted = true }
                    } catch {
                        // No room: 503 before any of the body is read (evhttp has not seen this head).
                        return refuseUnread(RequestRefusal(status: 503, reason: String(describing: error)), into: &output)
                    }
                }
            case .body(let range):
                let data = UnsafeRawBufferPointer(rebasing: bytes[(offset + range.lowerBound)..<(offset + range.upperBound)])
                if let spooling {
                    continueWanted = false
                    do {
                        try spooling.spool.append(data)
                    } catch {
                        return refuseUnread(RequestRefusal(status: 503, reason: String(describing: error)), into: &output)
                    }
                } else if chunked {
                    output.append(contentsOf: String(data.count, radix: 16).utf8)
                    output.append(contentsOf: Self.crlf)
                    output.append(contentsOf: data)
                    output.append(contentsOf: Self.crlf)
                } else {
                    output.append(contentsOf: data)
                }
            case .end:
                if let (head, spool) = spooling {
                    spooling = nil
                    continueWanted = false  // an empty chunked body has no .body event
                    pending.append(.request(head, .spooled(spool)))
                    var bodiless = head
                    bodiless.framing = .none
                    bodiless.expectsContinue = false
                    Self.writeHead(for: bodiless, into: &output)
                    continue
                }
                if chunked { output.append(contentsOf: Self.lastChunk) }
                forwardingBody = false
                chunked = false
            case .refused(let refusal):
                isStopped = true
                continueWanted = false
                if spooling != nil {
                    return refuseUnread(refusal, into: &output)  // evhttp has not seen this request's head
                } else if !forwardingBody {
                    pending.append(.refused(refusal, toHead: parser.isHeadRequest))
                    output.append(contentsOf: Self.standIn)
                } else if chunked {
                    // evhttp is reading this request's body: end it, and answer the refusal instead.
                    pending[pending.count - 1] = .refused(refusal, toHead: parser.isHeadRequest)
                    output.append(contentsOf: Self.lastChunk)
                } else {
                    mustClose = true
                }
                return refusal
            }
        }
    }

    /// Refuses the request being spooled, or about to be, whose head evhttp
    /// has not read: a stand-in takes its place.
    private mutating func refuseUnread(_ refusal: RequestRefusal, into output: inout [UInt8]) -> RequestRefusal {
        spooling = nil
        isStopped = true
        pending.append(.refused(refusal, toHead: parser.isHeadRequest))
        output.append(contentsOf: Self.standIn)
        return refusal
    }

    /// Whether `head`'s body may go to evhttp, which holds it in memory:
    /// none, or a declared length within the threshold and the budget.
    /// Returns the reservation (nil inside: no body), nil when it must be spooled.
    private func admitToMemory(_ head: RequestHead) -> BodyBudget.Reservation?? {
        switch head.framing {
        case .none: return .some(nil)
        case .chunked: return nil
        case .length(let length):
            if length == 0 { return .some(nil) }
            guard length <= bodies.threshold, let reservation = bodies.budget.reserve(length) else { return nil }
            return .some(reservation)
        }
    }

    /// What evhttp has just handed over: the next request in order.
    mutating func takeNext() -> Pending? {
        guard pendingStart < pending.count else { return nil }
        defer {
            pendingStart += 1
            if pendingStart == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingStart = 0
            }
        }
        return pending[pendingStart]
    }

    /// The head evhttp reads for `head`: only what it acts on. The method
    /// matters to evhttp only for HEAD (no response body); every other
    /// method, including ones evhttp does not know, is a POST to it.
    private static func writeHead(for head: RequestHead, into output: inout [UInt8]) {
        output.append(contentsOf: head.isHead ? headLine : postLine)
        output.append(contentsOf: head.minorVersion == 0 ? http10 : http11)
        switch head.framing {
        case .none: break
        case .length(let length):
            output.append(contentsOf: contentLength)
            output.append(contentsOf: DecimalText.of(length).utf8)
            output.append(contentsOf: crlf)
        case .chunked:
            output.append(contentsOf: transferEncoding)
        }
        if head.minorVersion >= 1 && !head.keepAlive { output.append(contentsOf: connectionClose) }
        if head.minorVersion == 0 && head.keepAlive { output.append(contentsOf: connectionKeepAlive) }
        if head.expectsContinue { output.append(contentsOf: expectContinue) }
        output.append(contentsOf: crlf)
    }

    private static let headLine = Array("HEAD / ".utf8), postLine = Array("POST / ".utf8)
    private static let http10 = Array("HTTP/1.0\r\n".utf8), http11 = Array("HTTP/1.1\r\n".utf8)
    private static let contentLength = Array("Content-Length: ".utf8)
    private static let transferEncoding = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    private static let expectContinue = Array("Expect: 100-continue\r\n".utf8)
    private static let crlf: [UInt8] = [0x0D, 0x0A]
    private static let lastChunk = Array("0\r\n\r\n".utf8)
    /// The stand-in for a refused request: dispatched at once, answered with the refusal.
    private static let standIn = Array("POST / HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)
}
