import CLibEvent
import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What evhttp 2.1 does not track per connection, for one reactor: how many
/// are open (to stop accepting at the cap), how long a request takes to
/// arrive (slowloris: evhttp's one timeout restarts with every byte), how
/// long a connection idles between requests; and, through each slot's
/// ``RequestRelay``, what evhttp is given to read. Loop thread only.
///
/// evhttp gives two hooks: the bufferevent callback, called for each
/// accepted connection before its `evhttp_connection` exists, and the
/// connection's close callback. The guard makes the bufferevent, learns its
/// connection just after evhttp has set it up, and from then on owns the
/// close callback (``ResponseExchange`` hears of a close through its slot).
final class ConnectionGuard {
    private let limits: RequestLimits
    private let logger: Logger
    private let gate: AcceptGate
    /// Connections this loop may hold: its share of `maxConnections`.
    private let capacity: Int
    private var slots: [OpaquePointer: ConnectionSlot] = [:]
    /// Bufferevents handed to evhttp whose connection we have not met yet.
    private var unadopted: [OpaquePointer] = []
    private var open = 0
    /// At the cap: the gate is paused for it.
    private var full = false
    private var adoptEvent: OpaquePointer?
    private var sweepEvent: OpaquePointer?
    private var closing = false
    /// Connections to drop at the next sweep.
    private var doomed: [ConnectionSlot] = []
    /// The buffer the slots relay into, one for the loop (see ``takeRelayBuffer()``).
    private var relayBuffer: [UInt8] = []

    /// The loop's relay buffer, empty, for one read; a nested read while it
    /// is out gets a new one.
    func takeRelayBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &relayBuffer)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    func returnRelayBuffer(_ buffer: [UInt8]) {
        if buffer.capacity <= 64 * 1024 { relayBuffer = buffer }  // a rare huge head is not kept
    }
    private let parserLimits: RequestParser.Limits
    private let bodies: RequestRelay.BodyPolicy
    private let counters: ServerCounters

    init(http: OpaquePointer, base: OpaquePointer, gate: AcceptGate, configuration: EventServerConfiguration,
         bodies: RequestRelay.BodyPolicy, counters: ServerCounters) {
        limits = configuration.limits
        self.bodies = bodies
        self.counters = counters
        logger = configuration.logger
        parserLimits = limits.parserLimits
        self.gate = gate
        let reactors = max(configuration.reactors, 1)
        capacity = max(1, (limits.maxConnections + reactors - 1) / reactors)

        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_bevcb(http, { base, context in
            ConnectionGuard.from(context).accepted(on: base!)
        }, context)
        adoptEvent = event_new(base, -1, 0, { _, _, context in
            ConnectionGuard.from(context).adoptAccepted()
        }, context)
        sweepEvent = event_new(base, -1, Int16(EV_PERSIST), { _, _, context in
            ConnectionGuard.from(context).sweep()
        }, context)
        var interval = timeval(seconds: sweepInterval)
        event_add(sweepEvent, &interval)
    }

    /// How often deadlines are checked: a fraction of the shortest one.
    private var sweepInterval: Double {
        min(max(min(limits.requestTimeout, limits.keepAliveTimeout) / 8, 0.05), 1)
    }

    /// Before evhttp frees its connections: their close callbacks still run,
    /// but must not touch the listener, which is gone by then.
    func prepareToClose() {
        closing = true
        for event in [adoptEvent, sweepEvent] { if let event { event_free(event) } }
        adoptEvent = nil
        sweepEvent = nil
        for events in unadopted { bufferevent_decref(events) }
        unadopted = []
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> ConnectionGuard {
        Unmanaged<ConnectionGuard>.fromOpaque(context!).takeUnretainedValue()
    }

    // MARK: - Opening and closing

    /// evhttp accepted a connection and asks for its bufferevent (the same
    /// kind it would make itself). Its connection object comes right after.
    private func accepted(on base: OpaquePointer) -> OpaquePointer? {
        guard let events = bufferevent_socket_new(base, -1, 0) else { return nil }
        bufferevent_incref(events)
        unadopted.append(events)
        open += 1
        counters.connectionOpened()
        if open >= capacity && !full {
            full = true
            logger.warning("\(open) connections open: not accepting more until one closes")
            gate.pause(.full)
        }
        event_active(adoptEvent, 0, 0)
        return events
    }

    /// Runs once evhttp is done with the accept: each new bufferevent's
    /// callback argument is now its `evhttp_connection`.
    private func adoptAccepted() {
        let now = MonotonicClock.seconds()
        for events in unadopted {
            var readCallback: bufferevent_data_cb?
            var argument: UnsafeMutableRawPointer?
            bufferevent_getcb(events, &readCallback, nil, nil, &argument)
            if readCallback != nil, let argument {
                adopt(events: events, connection: OpaquePointer(argument), now: now)
            } else {
                connectionClosed()  // evhttp gave up on it already
            }
            bufferevent_decref(events)
        }
        unadopted.removeAll(keepingCapacity: true)
    }

    private func adopt(events: OpaquePointer, connection: OpaquePointer, now: Double) {
        let slot = ConnectionSlot(events: events, connection: connection, owner: self, limits: parserLimits, bodies: bodies, now: now)
        slots[connection] = slot
        // evhttp leaves Nagle on: the tail of a response written in pieces
        // (a file, a stream) would wait for the client's delayed ACK, ~40 ms.
        // (A unix-domain socket refuses the option; nothing to do there.)
        var on: Int32 = 1
        setsockopt(bufferevent_getfd(events), Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let context = Unmanaged.passUnretained(slot).toOpaque()
        evhttp_connection_set_closecb(connection, { _, context in
            let slot = Unmanaged<ConnectionSlot>.fromOpaque(context!).takeUnretainedValue()
            slot.owner.closed(slot)
        }, context)
        slot.inputEntry = evbuffer_add_cb(slot.input, { buffer, info, context in
            guard let buffer, let added = info?.pointee.n_added, added > 0 else { return }
            Unmanaged<ConnectionSlot>.fromOpaque(context!).takeUnretainedValue().received(added, in: buffer)
        }, context)
        // Output before a request was handed over is evhttp refusing it
        // itself. Watched only between requests (switched off while ours run).
        slot.outputEntry = evbuffer_add_cb(slot.output, { _, info, context in
            guard let added = info?.pointee.n_added, added > 0 else { return }
            let slot = Unmanaged<ConnectionSlot>.fromOpaque(context!).takeUnretainedValue()
            slot.owner.refusalWritten(slot)
        }, context)
    }

    /// Requests arriving on connections accepted (a closing stop waits for
    /// them: the client connected before the socket closed); with
    /// `silent`, also new connections that have sent nothing yet.
    func requestsArriving(silent: Bool) -> Int {
        (silent ? unadopted.count : 0)
            + slots.values.reduce(0) { $0 + ($1.phase == .receiving && (silent || $1.received > 0) ? 1 : 0) }
    }

    /// Told whenever a connection closes, while the server drains.
    var onClose: (() -> Void)?

    /// A stop: connections idle between requests close now (never one mid-request).
    func closeIdle() {
        for slot in slots.values where slot.phase == .idle {
            bufferevent_trigger_event(slot.events, Int16(BEV_EVENT_READING | BEV_EVENT_TIMEOUT), 0)  // as the keep-alive timeout does
        }
    }

    private func closed(_ slot: ConnectionSlot) {
        if let entry = slot.inputEntry { evbuffer_remove_cb_entry(slot.input, entry) }
        if let entry = slot.outputEntry { evbuffer_remove_cb_entry(slot.output, entry) }
        slot.inputEntry = nil
        slot.outputEntry = nil
        slots[slot.connection] = nil
        slot.exchange?.connectionClosed()
        slot.exchange = nil
        connectionClosed()
        onClose?()
    }

    private func connectionClosed() {
        open -= 1
        counters.connectionClosed()
        if full && open < capacity && !closing {
            full = false
            gate.resume(.full)
        }
    }

    // MARK: - Requests

    /// evhttp hands a request over: the clock for receiving stops. Returns
    /// the connection's slot and the request as the relay parsed it.
    func requestArrived(_ request: EvhttpRequest) -> (ConnectionSlot, RequestRelay.Pending)? {
        guard let connection = evhttp_request_get_connection(request.raw),
              let slot = slots[connection], let pending = slot.dispatched() else { return nil }
        return (slot, pending)
    }

    /// The relay refused a request from its bytes alone; the reactor answers
    /// it when evhttp hands its stand-in over.
    func refused(_ slot: ConnectionSlot, reason: String) {
        logger.refusedRequest(from: slot.peer, reason)
    }

    func continueFailed(_ slot: ConnectionSlot) {
        logger.info("could not send 100 Continue to \(slot.peer); it will send its body unasked")
    }

    /// Closes a connection that can be given no answer, at the next sweep.
    func closeSoon(_ slot: ConnectionSlot) {
        doomed.append(slot)
    }

    /// evhttp began writing a response to a request it did not hand over:
    /// its own refusal (our relay should leave it none to make), or an
    /// interim `100 Continue`, let pass.
    private func refusalWritten(_ slot: ConnectionSlot) {
        guard slot.phase != .dispatched, let status = slot.pendingStatusLine(), !status.hasPrefix("HTTP/1.1 1") else { return }
        slot.watchOutput(false)
        logger.info("evhttp refused a request from \(slot.peer): \(status)")
    }

    // MARK: - Deadlines

    /// Drops connections whose request is arriving too slowly, or that idled
    /// past the keep-alive timeout. evhttp closes them as it does on its own
    /// timeout (no response: the request never arrived).
    private func sweep() {
        let now = MonotonicClock.seconds()
        var late: [(ConnectionSlot, String)] = doomed.map { ($0, "") }
        doomed.removeAll()
        for slot in slots.values {
            switch slot.phase {
            case .receiving:
                let allowed = limits.requestTimeout
                    + (limits.minRequestRate > 0 ? Double(slot.received) / Double(limits.minRequestRate) : 0)
                if now - slot.since > allowed {
                    late.append((slot, "request not received within \(Int(allowed)) s (\(slot.received) bytes)"))
                }
            case .idle:
                if now - slot.since > limits.keepAliveTimeout { late.append((slot, "")) }
            case .dispatched:
                break
            }
        }
        for (slot, reason) in late where slots[slot.connection] === slot {
            if !reason.isEmpty { logger.info("closing connection from \(slot.peer): \(reason)") }
            bufferevent_trigger_event(slot.events, Int16(BEV_EVENT_READING | BEV_EVENT_TIMEOUT), 0)
        }
    }
}
