import Gateway
import GatewayHTTP

/// Turns one connection's bytes into requests ready to serve: each byte
/// goes through the shared ``RequestParser``, and a request is handed over
/// only once its body is complete, held where ``BodyPolicy`` says:
/// in memory up to ``BodyPolicy/threshold`` while the shared
/// ``BodyBudget`` has room, else spooled to disk (``BodySpool``) within
/// the disk budget, else refused with 503 before any of it is read.
/// No libevent here: ``ClientConnection`` passes the bytes it peeks.
/// A class, one per connection: its state is read and changed in place
/// (a struct in the connection's stored property was copied whole by reads).
final class RequestIntake {
    /// What the bytes passed to ``take(_:)`` amount to.
    enum Outcome {
        /// Every byte was taken; the request is not complete yet.
        case needMore
        /// A whole request, its body complete.
        case request(RequestHead, Body)
        /// A request's head, when ``announcesHeads`` is set: the caller
        /// says where its body goes, ``collectBody(of:)`` or ``streamBody(of:into:)``.
        case head(RequestHead)
        /// The body streamed with ``streamBody(of:into:)`` is complete; the
        /// bytes after it are the next request's, parsed once its response is out.
        case bodyStreamed
        /// The request is refused; nothing more is read from the connection.
        /// `toHead`: it was a HEAD, whose answer has no body.
        case refused(RequestRefusal, toHead: Bool)
    }

    /// Where a complete request's body is.
    enum Body {
        case none
        /// In memory, with the budget it holds until the response is done.
        case held([UInt8], BodyBudget.Reservation)
        /// In a spool (memory, then an unlinked file).
        case spooled(BodySpool)
    }

    /// How bodies are held; shared by the connections of a process.
    struct BodyPolicy {
        let budget: BodyBudget
        /// Disk for spooled bodies.
        let disk: BodyBudget
        let threshold: Int
        let directory: String
    }

    /// The body being collected for the head read last.
    private enum Collecting {
        case nothing
        case memory([UInt8], BodyBudget.Reservation)
        case spool(BodySpool)
    }

    private var parser: RequestParser
    private let bodies: BodyPolicy
    private var head: RequestHead?
    private var collecting = Collecting.nothing
    /// Heads are handed out before their bodies (the application may be
    /// async, and an async one reads the body as it arrives).
    let announcesHeads: Bool
    /// Where the body being read goes instead, as it arrives.
    private(set) var stream: RequestBodyStream?
    /// Body bytes received for the current request.
    private(set) var bodyBytesReceived = 0
    /// The current request asked for `100 Continue` and has not had it.
    private var continueOwed = false

    init(limits: RequestParser.Limits, bodies: BodyPolicy, announcesHeads: Bool = false) {
        parser = RequestParser(limits: limits)
        self.bodies = bodies
        self.announcesHeads = announcesHeads
    }

    /// After ``Outcome/head(_:)``: the body is collected, and the request
    /// handed over whole by a later ``take(_:)``; or now, when it has no
    /// body; or refused, when nowhere has room for it.
    func collectBody(of parsed: consuming RequestHead) -> Outcome {
        if let refusal = beginBody(of: parsed) { return refused(refusal) }
        continueOwed = parsed.expectsContinue
        head = consume parsed
        // A request without a body is complete: its end is parsed now.
        return take(UnsafeRawBufferPointer(start: nil, count: 0)).outcome
    }

    /// After ``Outcome/head(_:)``: the body goes to `stream` as it
    /// arrives, as far as the stream has room (``take(_:)`` takes no more).
    func streamBody(of parsed: borrowing RequestHead, into stream: RequestBodyStream) {
        bodyBytesReceived = 0
        continueOwed = parsed.expectsContinue
        collecting = .nothing
        guard parsed.framing != .none, parsed.framing != .length(0) else {
            _ = parser.parse(UnsafeRawBufferPointer(start: nil, count: 0))  // its end: the parser is idle again
            return stream.finish()
        }
        self.stream = stream
    }

    /// The streamed body will not be read to its end (the response is over,
    /// or the client gone): the application's reads end with `error`.
    func abandonStream(_ error: any Error) {
        stream?.finish(throwing: error)
        stream = nil
        continueOwed = false
    }

    /// No byte of a next request has arrived.
    var isIdle: Bool { head == nil && parser.isIdle }

    /// The request being read waits for `100 Continue` before it sends its
    /// body (RFC 9110 §10.1.1): true once, when its head is complete and none
    /// of the body came with it. The caller writes the interim response.
    func takeContinueDue() -> Bool {
        guard continueOwed else { return false }
        continueOwed = false
        return (head != nil || stream != nil) && bodyBytesReceived == 0
    }

    /// The client closed its side: the refusal for a request it cut short, if any.
    func finish() -> RequestRefusal? {
        head = nil
        collecting = .nothing
        let refusal = parser.finish()
        abandonStream(refusal ?? RequestRefusal(.cutShort))
        return refusal
    }

    /// Parses from the start of `bytes`; returns how many it used and what
    /// they came to. Call again with the bytes after the used ones until it
    /// answers ``Outcome/needMore``.
    func take(_ bytes: UnsafeRawBufferPointer) -> (consumed: Int, outcome: Outcome) {
        // A streamed body takes no more than its stream has room for.
        let bytes = stream.map { UnsafeRawBufferPointer(rebasing: bytes.prefix($0.room)) } ?? bytes
        var offset = 0
        while true {
            let (used, event) = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            let start = offset
            offset += used
            switch consume event {
            case .needMore:
                return (offset, .needMore)
            case .head(let parsed):
                if announcesHeads { return (offset, .head(parsed)) }
                if let refusal = beginBody(of: parsed) { return (offset, refused(refusal)) }
                continueOwed = parsed.expectsContinue
                head = consume parsed
            case .body(let range):
                let data = UnsafeRawBufferPointer(rebasing: bytes[(start + range.lowerBound)..<(start + range.upperBound)])
                bodyBytesReceived += data.count
                if let stream {
                    stream.push(data)
                } else if let refusal = collect(data) {
                    return (offset, refused(refusal))
                }
            case .end:
                if let stream {
                    stream.finish()
                    self.stream = nil
                    continueOwed = false
                    return (offset, .bodyStreamed)
                }
                guard let complete = head.take() else { continue }  // cannot happen: .end follows a head
                continueOwed = false
                bodyBytesReceived = 0
                return (offset, .request(complete, takeBody()))
            case .refused(let refusal):
                return (offset, refused(refusal))
            }
        }
    }

    private func refused(_ refusal: RequestRefusal) -> Outcome {
        let toHead = parser.isHeadRequest || head?.isHead == true
        abandonStream(refusal)
        head = nil
        collecting = .nothing
        continueOwed = false
        return .refused(refusal, toHead: toHead)
    }

    /// Decides where `head`'s body will go; a 503 when nowhere has room.
    private func beginBody(of head: RequestHead) -> RequestRefusal? {
        bodyBytesReceived = 0
        switch head.framing {
        case .none, .length(0):
            collecting = .nothing
            return nil
        case .length(let length) where length <= bodies.threshold:
            if let reservation = bodies.budget.reserve(length) {
                var memory: [UInt8] = []
                memory.reserveCapacity(length)
                collecting = .memory(memory, reservation)
                return nil
            }
            return beginSpool(expected: length, reservation: nil)
        case .length(let length):
            return beginSpool(expected: length, reservation: nil)
        case .chunked:
            // A chunked body may stay in memory up to the threshold, budget allowing.
            return beginSpool(expected: nil, reservation: bodies.budget.reserve(bodies.threshold))
        }
    }

    private func beginSpool(expected: Int?, reservation: BodyBudget.Reservation?) -> RequestRefusal? {
        do {
            collecting = .spool(try BodySpool(
                reservation: reservation, disk: bodies.disk, expected: expected, directory: bodies.directory))
            return nil
        } catch {
            return RequestRefusal(.noRoomForBody, String(describing: error))
        }
    }

    private func collect(_ data: UnsafeRawBufferPointer) -> RequestRefusal? {
        switch collecting {
        case .nothing:
            return nil
        case .memory(var memory, let reservation):
            collecting = .nothing  // the array gets one owner while it grows
            memory.append(contentsOf: data)
            collecting = .memory(memory, reservation)
            return nil
        case .spool(let spool):
            do {
                try spool.append(data)
                return nil
            } catch {
                return RequestRefusal(.noRoomForBody, String(describing: error))
            }
        }
    }

    private func takeBody() -> Body {
        defer { collecting = .nothing }
        switch collecting {
        case .nothing: return .none
        case .memory(let memory, let reservation): return .held(memory, reservation)
        case .spool(let spool): return .spooled(spool)
        }
    }
}
