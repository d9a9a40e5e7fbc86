import CLibEvent
#if canImport(Glibc)
import Glibc
#endif

/// One connection as the guard sees it.
final class ConnectionSlot {
    enum Phase {
        /// Bytes of a request are arriving (or, new, none yet).
        case receiving
        /// evhttp handed the request over; the response is under way.
        case dispatched
        /// Between requests on a kept-alive connection.
        case idle
    }

    let events: OpaquePointer
    let connection: OpaquePointer
    unowned let owner: ConnectionGuard
    var phase = Phase.receiving
    /// When the phase began (``MonotonicClock``).
    var since: Double
    /// Bytes received in this `receiving` phase.
    var received = 0
    var head = HeadScanner()
    /// The head went past the limit.
    var headTooLarge = false
    /// A chunked body being checked as it arrives.
    private var chunks: ChunkedBodyScanner?
    /// Why the body's framing is refused (it is answered 400, or the connection closed).
    private(set) var badFraming: String?
    /// The response under way, told when the client goes.
    var exchange: ResponseExchange?
    var inputEntry: OpaquePointer?
    var outputEntry: OpaquePointer?

    init(events: OpaquePointer, connection: OpaquePointer, owner: ConnectionGuard, now: Double) {
        self.events = events
        self.connection = connection
        self.owner = owner
        self.since = now
    }

    var input: OpaquePointer { bufferevent_get_input(events) }
    var output: OpaquePointer { bufferevent_get_output(events) }

    var peer: String { peerAddress(of: connection).host }

    /// `added` bytes arrived at the end of the input buffer.
    func received(_ added: Int, in buffer: OpaquePointer) {
        switch phase {
        case .dispatched:
            return  // the next request, read early: measured when this one ends
        case .idle:
            startReceiving(at: MonotonicClock.seconds())
        case .receiving:
            break
        }
        received += added
        let offset = evbuffer_get_length(buffer) - added
        if offset >= 0 { scan(buffer, from: offset) }
    }

    /// evhttp handed the request over: its clock stops.
    func dispatched() {
        phase = .dispatched
        watchOutput(false)
    }

    func watchOutput(_ on: Bool) {
        guard let outputEntry else { return }
        if on {
            evbuffer_cb_set_flags(output, outputEntry, UInt32(EVBUFFER_CB_ENABLED))
        } else {
            evbuffer_cb_clear_flags(output, outputEntry, UInt32(EVBUFFER_CB_ENABLED))
        }
    }

    /// The start of what waits in the output buffer, up to the line end.
    func pendingStatusLine() -> String? {
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = evbuffer_copyout(output, &bytes, bytes.count)
        guard count > 0 else { return nil }
        let line = bytes[..<count].prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        return String(decoding: line, as: UTF8.self)
    }

    /// The response is written: wait for the next request, which may have
    /// arrived (pipelined) while this one was served.
    func responseCompleted() {
        exchange = nil
        watchOutput(true)
        let pending = evbuffer_get_length(input)
        if pending == 0 {
            phase = .idle
            since = MonotonicClock.seconds()
            return
        }
        startReceiving(at: MonotonicClock.seconds())
        received = pending
        scan(input, from: 0)
    }

    private func startReceiving(at now: Double) {
        phase = .receiving
        since = now
        received = 0
        head = HeadScanner()
        headTooLarge = false
        chunks = nil
        badFraming = nil
    }

    /// Nothing more to learn from this request's bytes.
    private var scanned: Bool {
        headTooLarge || badFraming != nil || (head.isComplete && chunks?.isOver ?? true)
    }

    private func scan(_ buffer: OpaquePointer, from offset: Int) {
        guard !scanned else { return }
        var position = evbuffer_ptr()
        guard evbuffer_ptr_set(buffer, &position, offset, EVBUFFER_PTR_SET) == 0 else { return }
        let length = evbuffer_get_length(buffer) - offset
        let count = Int(evbuffer_peek(buffer, length, &position, nil, 0))
        guard count > 0 else { return }
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            let filled = Int(evbuffer_peek(buffer, length, &position, vectors.baseAddress, Int32(count)))
            for vector in vectors.prefix(filled) where !scanned {
                var bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
                if !head.isComplete {
                    bytes = UnsafeRawBufferPointer(rebasing: bytes[head.scan(bytes)...])
                    if head.isComplete && head.announcesChunked { chunks = ChunkedBodyScanner() }
                }
                chunks?.scan(bytes)
            }
        }
        if head.count > owner.maxHeaderBytes {
            headTooLarge = true
            owner.refused(self, reason: "head over \(owner.maxHeaderBytes) bytes")
        } else if case .invalid(let reason)? = chunks?.state {
            badFraming = reason
            owner.refused(self, reason: reason)
        }
    }
}

/// Seconds on a clock that only moves forward, cheap enough to read per request.
enum MonotonicClock {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
