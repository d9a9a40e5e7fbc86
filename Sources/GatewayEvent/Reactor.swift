import CLibEvent
import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One event loop and its `evhttp`, serving connections from the shared
/// listening socket. Every libevent call on its base happens on the thread
/// running ``run()``; other threads reach it only through ``post(_:)``.
final class Reactor: @unchecked Sendable {
    // @unchecked: the pointers are used only by the loop thread (or by
    // close() when no loop runs); `inbox` is the cross-thread door.

    let settings: ServingSettings
    let base: OpaquePointer
    private let http: OpaquePointer
    private let gate: AcceptGate
    private let connections: ConnectionGuard
    private var deadlineEvent: OpaquePointer?
    private let inbox = Locked(Inbox())
    /// Wakes the pool's workers once the loop has nothing else to run (an
    /// event at the idle priority), or after a millisecond if it stays busy
    /// (a timer at the normal one, so the idle event cannot starve them):
    /// one wake-up for the jobs of a batch.
    private var wakeWorkersEvent: OpaquePointer?
    private var wakeWorkersTimer: OpaquePointer?
    private var wakeWorkersScheduled = false

    /// Jobs posted from other threads, and how they wake the loop: an
    /// eventfd the loop watches. No other thread calls libevent, so libevent
    /// runs without its locks (evthread), which every event operation of
    /// every request took. Behind one lock, so a post never races close().
    private struct Inbox {
        var jobs: [(run: @Sendable () -> Void, abandon: (@Sendable () -> Void)?)] = []
        var wake: Int32 = -1
        var event: UnsafeTransfer<OpaquePointer>?  // used under the lock only
        var closed = false
    }
    /// Reused for every response sent in one piece.
    let scratchBuffer: OpaquePointer

    /// Responses under way (loop thread only).
    private var inFlight = 0
    /// Finished exchanges (each with its handler), kept for later requests.
    @exclusivity(unchecked) private var spareExchanges: [ResponseExchange] = []
    private static let maxSpareExchanges = 256
    private(set) var draining = false
    /// The listener still accepts (or may again): a drain ends only once it does not.
    private var listening = true
    /// A closing stop: requests arriving on accepted connections are waited for
    /// (silent new connections only for ``handshakeGrace`` after the close).
    private var waitForArriving = false
    private var waitForSilent = false
    /// evhttp's record of the listening socket, freed by a stop that closes it.
    private var boundSocket: OpaquePointer?
    /// handleRequest(): stop the loop after this many more responses.
    private var stopAfterResponses: Int?

    init(settings: ServingSettings, listener: Int32) throws {
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else { throw EventServerError.libevent("eventfd failed") }
        guard let base = LibEvent.makeBase() else {
            Glibc.close(wake)
            throw EventServerError.libevent("event_base_new failed")
        }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            Glibc.close(wake)
            throw EventServerError.libevent("evhttp_new failed")
        }
        self.base = base
        self.http = http
        self.settings = settings
        self.scratchBuffer = evbuffer_new()

        // evhttp would otherwise label every response text/html; ISO-8859-1.
        evhttp_set_default_content_type(http, nil)
        let methods = [EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                       EVHTTP_REQ_OPTIONS, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        let limits = settings.configuration.limits
        evhttp_set_max_headers_size(http, limits.maxHeaderBytes)
        evhttp_set_max_body_size(http, limits.maxBodyBytes)
        var timeout = timeval(seconds: limits.idleTimeout)
        evhttp_set_timeout_tv(http, &timeout)

        // evhttp takes the descriptor as its own; each reactor gets a duplicate.
        let boundSocket = evhttp_accept_socket_with_handle(http, dup(listener))
        guard let boundSocket, let listener = evhttp_bound_socket_get_listener(boundSocket) else {
            evhttp_free(http)
            event_base_free(base)
            Glibc.close(wake)
            throw EventServerError.libevent("evhttp_accept_socket failed")
        }
        self.boundSocket = boundSocket
        gate = AcceptGate(listener: listener, logger: settings.logger)
        connections = ConnectionGuard(
            http: http, base: base, gate: gate, configuration: settings.configuration,
            bodies: RequestRelay.BodyPolicy(
                budget: settings.bodyBudget, disk: settings.spoolBudget, threshold: limits.bodySpoolThreshold,
                directory: limits.bodySpoolDirectory),
            counters: settings.counters)

        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(http, { request, context in
            guard let request, let context else { return }
            Unmanaged<Reactor>.fromOpaque(context).takeUnretainedValue().respond(to: EvhttpRequest(raw: request))
        }, context)
        let inboxEvent = event_new(base, wake, Int16(EV_READ | EV_PERSIST), { wake, _, context in
            var count: UInt64 = 0
            _ = read(wake, &count, MemoryLayout<UInt64>.size)
            Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().runInbox()
        }, context)
        // Without it nothing posted would ever run (a stop included).
        guard let inboxEvent, event_add(inboxEvent, nil) == 0 else {
            throw EventServerError.libevent("the inbox event could not be added")
        }
        if settings.pool != nil {
            let wake: event_callback_fn = { _, _, context in
                Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().wakeWorkers()
            }
            wakeWorkersEvent = event_new(base, -1, 0, wake, context)
            wakeWorkersTimer = event_new(base, -1, 0, wake, context)
            if let wakeWorkersEvent { event_priority_set(wakeWorkersEvent, LibEvent.idlePriority) }
        }
        connections.onClose = { [unowned self] in if draining { stopIfDrained() } }
        let transfer = UnsafeTransfer(inboxEvent)
        inbox.withLock {
            $0.event = transfer
            $0.wake = wake
        }
    }

    /// Frees the loop, its connections and its listener. Only when it is not running.
    func close() {
        spareExchanges = []  // they hold the reactor
        gate.detach()
        connections.prepareToClose()
        // Jobs that will never run now: their owners release what they hold.
        let (event, wake, pending) = inbox.withLock { inbox in
            inbox.closed = true
            defer { inbox.jobs = []; inbox.event = nil; inbox.wake = -1 }
            return (inbox.event, inbox.wake, inbox.jobs)
        }
        for job in pending { job.abandon?() }
        if let event { event_free(event.value) }
        if wake >= 0 { Glibc.close(wake) }
        if let deadlineEvent { event_free(deadlineEvent) }
        if let wakeWorkersEvent { event_free(wakeWorkersEvent) }
        if let wakeWorkersTimer { event_free(wakeWorkersTimer) }
        wakeWorkersEvent = nil
        wakeWorkersTimer = nil
        deadlineEvent = nil
        evhttp_free(http)
        evbuffer_free(scratchBuffer)
        event_base_free(base)
    }

    // MARK: - Running

    /// Runs the loop on the calling thread until it is stopped.
    func run(responses: Int? = nil) throws {
        stopAfterResponses = responses
        draining = false
        waitForArriving = false
        listening = !gate.isShut
        gate.resume(.draining)
        if event_base_loop(base, 0) < 0 { throw EventServerError.libevent("event_base_loop failed") }
    }

    /// Queues `job` for the worker pool (loop thread only). The workers are
    /// woken once the loop has run what else is ready (at most a millisecond
    /// later), not at once: a worker woken for each job preempted the loop
    /// for each request (3.6 context switches a request at `--threads 4`).
    func submitToPool(isRequest: Bool = false, _ job: @escaping @Sendable () -> Void) {
        guard let pool = settings.pool else { return job() }
        guard let wakeWorkersEvent, let wakeWorkersTimer else {
            return pool.submit(isRequest: isRequest, job)  // no events: wake at once
        }
        pool.submit(isRequest: isRequest, wake: false, job)
        if !wakeWorkersScheduled {
            wakeWorkersScheduled = true
            event_active(wakeWorkersEvent, 0, 0)
            var soon = timeval(tv_sec: 0, tv_usec: 1000)
            event_add(wakeWorkersTimer, &soon)
        }
    }

    /// The idle event or the timer, whichever comes first (the other then finds nothing to do).
    private func wakeWorkers() {
        guard wakeWorkersScheduled else { return }
        wakeWorkersScheduled = false
        if let wakeWorkersTimer { event_del(wakeWorkersTimer) }
        settings.pool?.wakeIdleWorkers()
    }

    /// The loop was closed: posted jobs are abandoned. Any thread.
    var isClosed: Bool { inbox.withLock { $0.closed } }

    /// Runs `job` on the loop thread soon; callable from any thread. If the
    /// loop is closed (now, or before the job's turn), `abandon` runs instead,
    /// on the caller's thread or in ``close()``.
    func post(_ job: @escaping @Sendable () -> Void, otherwise abandon: (@Sendable () -> Void)? = nil) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.closed else { return false }
            inbox.jobs.append((job, abandon))
            // One wake-up of the loop for everything posted before it runs.
            if inbox.jobs.count == 1 {
                var one: UInt64 = 1
                _ = write(inbox.wake, &one, MemoryLayout<UInt64>.size)
            }
            return true
        }
        if !accepted { abandon?() }
    }

    private func runInbox() {
        let jobs = inbox.withLock { inbox in
            defer { inbox.jobs.removeAll(keepingCapacity: true) }
            return inbox.jobs
        }
        for job in jobs { job.run() }
    }

    /// Graceful stop, on the loop thread: accept no more connections, serve
    /// the requests under way and those arriving on connections already
    /// accepted (with `Connection: close`), close idle keep-alive
    /// connections, and stop when nothing is left or at `deadline`.
    ///
    /// `closing` (a stop by signal, before the process exits): the socket
    /// closes, so new clients are refused at once. First the kernel stops
    /// starting handshakes (``ListeningSocket/stopHandshakes(on:)``); for
    /// ``handshakeGrace`` the listener goes on accepting what the backlog
    /// holds, then closes. Otherwise (``EventServer/shutdown()``) the
    /// listener only pauses: the socket stays for a later `serveForever()`.
    func drain(deadline: Double, closing: Bool) {
        draining = true
        waitForArriving = closing
        waitForSilent = closing
        if closing && !gate.isShut, let boundSocket {
            // A prefork worker shares the socket with the others (and, after
            // SIGHUP, with its successors): there the supervisor decides. An
            // inherited socket (systemd) outlives us, and the filter with it:
            // its next server would never see a connection.
            if !settings.configuration.multiprocess && settings.configuration.listeners.isEmpty {
                ListeningSocket.stopHandshakes(on: evconnlistener_get_fd(evhttp_bound_socket_get_listener(boundSocket)))
            }
            var grace = timeval(seconds: Self.handshakeGrace)
            event_base_once(base, -1, Int16(EV_TIMEOUT), { _, _, context in
                Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().closeListener()
            }, Unmanaged.passUnretained(self).toOpaque(), &grace)
        } else {
            gate.pause(.draining)
            listening = false
        }
        connections.closeIdle()
        if stopIfDrained() { return }
        settings.logger.info("waiting up to \(deadline) s for \(inFlight) response(s) under way\(closing ? " and the requests arriving" : "")")
        var wait = timeval(seconds: deadline)
        if deadlineEvent == nil {
            deadlineEvent = event_new(base, -1, 0, { _, _, context in
                let reactor = Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue()
                reactor.settings.logger.warning("shutdown deadline passed with \(reactor.inFlight) response(s) unfinished")
                event_base_loopbreak(reactor.base)
            }, Unmanaged.passUnretained(self).toOpaque())
        }
        event_add(deadlineEvent, &wait)
    }

    /// How long a closing stop keeps accepting after the kernel stops
    /// starting handshakes: time for those under way to complete (a round trip).
    static let handshakeGrace = 0.25

    private func closeListener() {
        guard let boundSocket, !gate.isShut else { return }
        gate.shut()
        evhttp_del_accept_socket(http, boundSocket)  // frees the listener, closes our descriptor
        self.boundSocket = nil
        listening = false
        // A client that connected just before the close sends its request
        // within a round trip; a connection silent longer (a preconnect) is not waited for.
        var grace = timeval(seconds: Self.handshakeGrace)
        event_base_once(base, -1, Int16(EV_TIMEOUT), { _, _, context in
            let reactor = Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue()
            reactor.waitForSilent = false
            if reactor.draining { reactor.stopIfDrained() }
        }, Unmanaged.passUnretained(self).toOpaque(), &grace)
        if draining { stopIfDrained() }
    }

    /// Ends the loop once a drain has nothing left to serve. True when it did.
    @discardableResult
    private func stopIfDrained() -> Bool {
        guard !listening, inFlight == 0,
              !waitForArriving || connections.requestsArriving(silent: waitForSilent) == 0 else { return false }
        if let deadlineEvent { event_del(deadlineEvent) }
        event_base_loopbreak(base)
        return true
    }

    // MARK: - Requests

    private func respond(to request: EvhttpRequest) {
        guard let (slot, pending) = connections.requestArrived(request) else {
            // evhttp read bytes the relay did not write: never serve them.
            settings.logger.error("request from \(request.peer.host) did not pass the relay; refused")
            return refuse(request, ServerResponse.refusal(400, serverSoftware: settings.configuration.serverSoftware))
        }
        var head: RequestHead
        var input: RequestInput?
        switch consume pending {  // the head's fields get one owner: the environ takes them without a copy
        case .refused(let refusal, let toHead):
            return refuse(request, ServerResponse.refusal(refusal.status, serverSoftware: settings.configuration.serverSoftware,
                                                          toHead: toHead))
        case .request(let parsed, .buffered(let reservation)):
            head = parsed
            slot.heldBody = reservation
        case .request(let parsed, .spooled(let spool)):
            head = parsed
            input = spool.input()
            settings.counters.bodySpooled()
        }
        if let pool = settings.pool, !pool.hasRoom {
            settings.logger.warning("worker queue full (\(pool.depth) waiting): 503 to \(request.peer.host) for \(head.target)")
            return refuse(request, ServerResponse.refusal(503, serverSoftware: settings.configuration.serverSoftware,
                                                          toHead: head.isHead))
        }
        let environ = settings.environBuilder.environ(for: &head, request: request, input: input)
        inFlight += 1
        settings.counters.requestStarted(queueDepth: settings.pool?.depth)
        let exchange = spareExchanges.popLast()?.reuse(request: request, environ: environ, connection: slot, keepAlive: head.keepAlive)
            ?? ResponseExchange(request: request, handler: Handler(environ: environ, serverSoftware: settings.configuration.serverSoftware),
                                reactor: self, connection: slot, keepAlive: head.keepAlive)
        exchange.begin(app: settings.app)
    }

    /// Keeps a finished exchange (and its handler, both emptied) for a later
    /// request, so that a request allocates neither.
    func keepForReuse(_ exchange: ResponseExchange) {
        if spareExchanges.count < Self.maxSpareExchanges { spareExchanges.append(exchange) }
    }

    /// A response is over: written, or its client gone.
    func responseFinished(startedAt started: Double) {
        inFlight -= 1
        settings.counters.requestFinished(seconds: MonotonicClock.seconds() - started)
        if let left = stopAfterResponses {
            stopAfterResponses = left - 1
            if left <= 1 { event_base_loopbreak(base) }
        }
        if draining { stopIfDrained() }
    }

    /// Answers a request the server refuses, and closes the connection.
    private func refuse(_ request: EvhttpRequest, _ response: ServerResponse) {
        settings.counters.refused(status: response.status)
        let output = request.outputHeaders
        for (name, value) in response.headers { output.add(name, value) }
        request.forceClose()
        if response.omitsBody {
            // A HEAD's answer: the length a GET would get, no body (evhttp would send one).
            output.add("Content-Length", String(response.body.count))
        } else {
            response.body.withUnsafeBytes { _ = evbuffer_add(scratchBuffer, $0.baseAddress, $0.count) }
        }
        response.reason.withCString { evhttp_send_reply(request.raw, Int32(response.status), $0, scratchBuffer) }
        request.holdReadingWhileWriting()
    }
}
