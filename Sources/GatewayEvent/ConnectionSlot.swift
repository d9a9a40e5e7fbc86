import CLibEvent
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// One connection as the guard sees it: its clock, and the
/// ``RequestRelay`` that every byte from the client passes through before
/// evhttp reads it.
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
    // @exclusivity(unchecked): used on its loop's thread only, with no
    // overlapping accesses; the dynamic checks were a cost of every read.
    @exclusivity(unchecked) var phase = Phase.receiving
    /// When the phase began (``MonotonicClock``).
    @exclusivity(unchecked) var since: Double
    /// Bytes received in this `receiving` phase.
    @exclusivity(unchecked) var received = 0
    @exclusivity(unchecked) private(set) var relay: RequestRelay
    /// The relay is writing into the input buffer: its own bytes, not the client's.
    @exclusivity(unchecked) private var relaying = false
    /// The response under way, told when the client goes.
    @exclusivity(unchecked) var exchange: ResponseExchange?
    /// The budget the dispatched request's body holds, until its response is done.
    @exclusivity(unchecked) var heldBody: BodyBudget.Reservation?
    @exclusivity(unchecked) var inputEntry: OpaquePointer?
    @exclusivity(unchecked) var outputEntry: OpaquePointer?

    init(events: OpaquePointer, connection: OpaquePointer, owner: ConnectionGuard, limits: RequestParser.Limits,
         bodies: RequestRelay.BodyPolicy, now: Double) {
        self.events = events
        self.connection = connection
        self.owner = owner
        self.since = now
        self.relay = RequestRelay(limits: limits, bodies: bodies)
    }

    var input: OpaquePointer { bufferevent_get_input(events) }
    var output: OpaquePointer { bufferevent_get_output(events) }

    var peer: String { peerAddress(of: connection).host }

    /// `added` bytes from the client arrived at the end of the input buffer,
    /// which evhttp reads right after this returns: replace them with what
    /// the relay makes of them.
    func received(_ added: Int, in buffer: OpaquePointer) {
        guard !relaying else { return }
        switch phase {
        case .idle: startReceiving(at: MonotonicClock.seconds())
        case .receiving, .dispatched: break
        }
        received += added
        if added <= Self.bodyBytesExpected(&relay) {  // body bytes, passed on untouched
            relay.skipBody(added)
            return
        }
        let total = evbuffer_get_length(buffer)
        let kept = total - added  // relayed bytes evhttp has not read yet
        relaying = true
        // What the relay writes for evhttp goes through the loop's one
        // buffer, not one kept by each connection (idle ones hold nothing).
        var relayed = owner.takeRelayBuffer()
        defer {
            relaying = false
            owner.returnRelayBuffer(relayed)
        }
        // Parse the new bytes where they lie in the buffer's chains, then cut them off.
        var position = evbuffer_ptr()
        evbuffer_ptr_set(buffer, &position, kept, EVBUFFER_PTR_SET)
        let pieces = Int(evbuffer_peek(buffer, added, &position, nil, 0))
        let refusal = withUnsafeTemporaryAllocation(of: iovec.self, capacity: max(pieces, 1)) { vectors in
            let filled = Int(evbuffer_peek(buffer, added, &position, vectors.baseAddress, Int32(pieces)))
            var refusal: RequestRefusal?
            for vector in vectors.prefix(filled) where refusal == nil {
                refusal = relay.relay(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len), into: &relayed)
            }
            removeTail(of: buffer, keeping: kept)
            return refusal
        }
        if let refusal { owner.refused(self, reason: refusal.description) }
        if !relayed.isEmpty { _ = evbuffer_add(buffer, relayed, relayed.count) }
        if relay.mustClose { owner.closeSoon(self) }
        sendContinueIfDue()
    }

    /// A spooled request's `100 Continue`, which evhttp cannot send (it sees
    /// the head only with the body): written once no response is before it.
    /// Straight to the socket, whose send buffer is empty then: through the
    /// output buffer it would need evhttp's write state (its `evcon->cb`),
    /// which is private and, between requests, points at a callback that
    /// asserts a writing state.
    private func sendContinueIfDue() {
        guard relay.continueWanted, phase != .dispatched, Self.nothingPending(&relay),
              evbuffer_get_length(output) == 0 else { return }
        relay.continueWanted = false
        let bytes = ServerResponse.continue.bytes
        let sent = send(bufferevent_getfd(events), bytes, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        // A client that waits for it sends the body anyway after a while (RFC 9110 §10.1.1).
        if sent != bytes.count { owner.continueFailed(self) }
    }

    /// Removes all but the first `kept` bytes of `buffer` (evbuffers drain
    /// only from the front: set the head aside, drain, put it back).
    private func removeTail(of buffer: OpaquePointer, keeping kept: Int) {
        guard kept > 0 else { return _ = evbuffer_drain(buffer, evbuffer_get_length(buffer)) }
        let head = evbuffer_new()
        evbuffer_remove_buffer(buffer, head, kept)
        evbuffer_drain(buffer, evbuffer_get_length(buffer))
        evbuffer_add_buffer(buffer, head)
        evbuffer_free(head)
    }

    /// evhttp handed a request over: its clock stops. Returns the request
    /// as the relay parsed it (nil only if evhttp read bytes the relay did not write).
    func dispatched() -> RequestRelay.Pending? {
        phase = .dispatched
        watchOutput(false)
        return relay.takeNext()
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
        heldBody = nil
        watchOutput(true)
        if Self.isIdle(&relay) {
            phase = .idle
            since = MonotonicClock.seconds()
        } else {
            startReceiving(at: MonotonicClock.seconds())
        }
        sendContinueIfDue()
    }

    // The relay's computed properties, read in place: called on the class's
    // stored property directly, each getter got a copy of the whole relay
    // (its parser included), a few hundred instructions a request.
    private static func bodyBytesExpected(_ relay: inout RequestRelay) -> Int { relay.bodyBytesExpected }
    private static func isIdle(_ relay: inout RequestRelay) -> Bool { relay.isIdle }
    private static func nothingPending(_ relay: inout RequestRelay) -> Bool { relay.nothingPending }

    private func startReceiving(at now: Double) {
        phase = .receiving
        since = now
        received = 0
    }
}
