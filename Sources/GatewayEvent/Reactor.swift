import CLibEvent
import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One event loop serving connections from a shared listening socket:
/// its `evconnlistener` accepts, each connection is a ``ClientConnection``
/// (a bufferevent) on this loop. Every libevent call on its base happens on
/// the thread running ``run()``; other threads reach it only through
/// ``post(_:otherwise:)``.
final class Reactor: @unchecked Sendable {
    // @unchecked: the pointers are used only by the loop thread (or by
    // close() when no loop runs); `inbox` is the cross-thread door.

    let settings: ServingSettings
    let base: OpaquePointer
    private var listener: OpaquePointer?
    private let gate: AcceptGate
    private var connections = ConnectionTable()
    /// Connections this loop may hold: its share of what the process may hold.
    private let capacity: Int
    /// At the cap: the gate is paused for it.
    private var full = false
    private let bodies: RequestIntake.BodyPolicy
    private var deadlineEvent: OpaquePointer?
    /// Runs ``stopIfDrained()`` once the callback under way has returned
    /// (``checkDrainSoon()``).
    private var drainCheckEvent: OpaquePointer?
    private let inbox = Locked(Inbox())
    /// Where async applications' tasks run: this loop's thread.
    private(set) lazy var executor = LoopExecutor(reactor: self)
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
    /// libevent's common timeouts by duration: timers of one duration sit
    /// in a queue instead of the heap (O(1) to add and remove).
    private var commonTimeouts: [Double: timeval] = [:]
    /// The write timeout of every connection (``RequestLimits/idleTimeout``).
    private(set) var writeTimeout = timeval()

    /// Responses under way (loop thread only): from the request's dispatch
    /// until its last byte left the output buffer, or its client left.
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
    /// close() is freeing the connections: they must not call back into the listener.
    private var closing = false
    /// handleRequest(): stop the loop after this many more responses.
    private var stopAfterResponses: Int?

    init(settings: ServingSettings, listener socket: Int32) throws {
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else { throw EventServerError.libevent("eventfd failed") }
        guard let base = LibEvent.makeBase() else {
            Glibc.close(wake)
            throw EventServerError.libevent("event_base_new failed")
        }
        self.base = base
        self.settings = settings
        let limits = settings.configuration.limits
        capacity = settings.connectionsPerReactor
        bodies = RequestIntake.BodyPolicy(
            budget: settings.bodyBudget, disk: settings.spoolBudget, threshold: limits.bodySpoolThreshold,
            directory: limits.bodySpoolDirectory)

        // Each reactor listens on its own duplicate, which its listener
        // closes. Non-blocking: libevent accepts until accept() would block
        // (an inherited socket may come blocking).
        let descriptor = dup(socket)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let accepted: evconnlistener_cb = { _, socket, address, _, context in
            Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().accepted(socket, from: address)
        }
        // Backlog 0: the socket listens already, with the backlog it was bound with.
        guard descriptor >= 0, let listener = evconnlistener_new(
            base, accepted, nil, UInt32(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC), 0, descriptor)
        else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            event_base_free(base)
            Glibc.close(wake)
            throw EventServerError.libevent("evconnlistener_new failed")
        }
        self.listener = listener
        gate = AcceptGate(listener: listener, logger: settings.logger)

        let context = Unmanaged.passUnretained(self).toOpaque()
        evconnlistener_set_cb(listener, accepted, context)
        evconnlistener_set_error_cb(listener) { _, context in
            let code = errno
            Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().gate.acceptFailed(code)
        }
        let inboxEvent = event_new(base, wake, Int16(EV_READ | EV_PERSIST), { wake, _, context in
            var count: UInt64 = 0
            _ = read(wake, &count, MemoryLayout<UInt64>.size)
            Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().runInbox()
        }, context)
        // Without it nothing posted would ever run (a stop included).
        guard let inboxEvent, event_add(inboxEvent, nil) == 0 else {
            throw EventServerError.libevent("the inbox event could not be added")
        }
        drainCheckEvent = event_new(base, -1, 0, { _, _, context in
            let reactor = Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue()
            if reactor.draining { reactor.stopIfDrained() }
        }, context)
        if settings.pool != nil {
            let wake: event_callback_fn = { _, _, context in
                Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().wakeWorkers()
            }
            wakeWorkersEvent = event_new(base, -1, 0, wake, context)
            wakeWorkersTimer = event_new(base, -1, 0, wake, context)
            if let wakeWorkersEvent { event_priority_set(wakeWorkersEvent, LibEvent.idlePriority) }
        }
        writeTimeout = commonTimeout(limits.idleTimeout)
        let transfer = UnsafeTransfer(inboxEvent)
        inbox.withLock {
            $0.event = transfer
            $0.wake = wake
        }
    }

    /// Frees the loop, its connections and its listener. Only when it is not running.
    func close() {
        closing = true
        spareExchanges = []  // they hold the reactor
        for connection in connections.all { connection.close() }
        // Jobs that will never run now: their owners release what they hold.
        let (event, wake, pending) = inbox.withLock { inbox in
            inbox.closed = true
            defer { inbox.jobs = []; inbox.event = nil; inbox.wake = -1 }
            return (inbox.event, inbox.wake, inbox.jobs)
        }
        for job in pending { job.abandon?() }
        if let event { event_free(event.value) }
        if wake >= 0 { Glibc.close(wake) }
        for event in [deadlineEvent, drainCheckEvent, wakeWorkersEvent, wakeWorkersTimer] { if let event { event_free(event) } }
        drainCheckEvent = nil
        wakeWorkersEvent = nil
        wakeWorkersTimer = nil
        deadlineEvent = nil
        if let listener, !gate.isShut { evconnlistener_free(listener) }
        listener = nil
        event_base_free(base)
    }

    // MARK: - Running

    /// Runs the loop on the calling thread until it is stopped.
    func run(responses: Int? = nil) throws {
        loopThread = pthread_self()
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

    /// The thread running the loop (set before it runs, read by the tasks it runs).
    nonisolated(unsafe) private var loopThread: pthread_t?

    /// Runs `job` now when called on the loop's thread (a task on its
    /// ``executor``, whose job the loop is running), else posts it: a
    /// task's result reaches its connection without a second trip through
    /// the inbox.
    func runOnLoop(_ job: @escaping @Sendable () -> Void, otherwise abandon: (@Sendable () -> Void)? = nil) {
        if isLoopThread { return job() }
        post(job, otherwise: abandon)
    }

    /// Whether the caller is the loop's thread.
    var isLoopThread: Bool {
        guard let loopThread else { return false }
        return pthread_equal(loopThread, pthread_self()) != 0
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
        if closing && !gate.isShut, let listener {
            // A prefork worker shares the socket with the others (and, after
            // SIGHUP, with its successors): there the supervisor decides. An
            // inherited socket (systemd) outlives us, and the filter with it:
            // its next server would never see a connection.
            if !settings.configuration.multiprocess && settings.configuration.listeners.isEmpty {
                ListeningSocket.stopHandshakes(on: evconnlistener_get_fd(listener))
            }
            var grace = timeval(seconds: Self.handshakeGrace)
            event_base_once(base, -1, Int16(EV_TIMEOUT), { _, _, context in
                Unmanaged<Reactor>.fromOpaque(context!).takeUnretainedValue().closeListener()
            }, Unmanaged.passUnretained(self).toOpaque(), &grace)
        } else {
            gate.pause(.draining)
            listening = false
        }
        for connection in connections.all { connection.closeIfIdle() }
        if stopIfDrained() { return }
        settings.logger.info("\(Self.stoppingLine(deadline: deadline, responses: inFlight, closing: closing))")
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

    /// What a drain says it waits for: "stopping: waiting up to 10 s for
    /// 1 response under way", and, when the socket closes, for the requests
    /// still arriving on connections already accepted.
    static func stoppingLine(deadline: Double, responses: Int, closing: Bool) -> String {
        let seconds = deadline == deadline.rounded() && abs(deadline) < 1e9 ? "\(Int(deadline))" : "\(deadline)"
        let arriving = "requests still arriving on connections already accepted"
        switch (responses, closing) {
        case (0, true): return "stopping: no response under way; waiting up to \(seconds) s for \(arriving)"
        case (_, true): return "stopping: waiting up to \(seconds) s for \(responses) \(responses == 1 ? "response" : "responses") under way and \(arriving)"
        default: return "stopping: waiting up to \(seconds) s for \(responses) \(responses == 1 ? "response" : "responses") under way"
        }
    }

    /// How long a closing stop keeps accepting after the kernel stops
    /// starting handshakes: time for those under way to complete (a round trip).
    static let handshakeGrace = 0.25

    private func closeListener() {
        guard let listener, !gate.isShut else { return }
        gate.shut()
        evconnlistener_free(listener)  // closes our descriptor
        self.listener = nil
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
              !waitForArriving || requestsArriving(silent: waitForSilent) == 0 else { return false }
        if let deadlineEvent { event_del(deadlineEvent) }
        event_base_loopbreak(base)
        return true
    }

    /// Requests arriving on connections accepted (a closing stop waits for
    /// them: the client connected before the socket closed); with
    /// `silent`, also new connections that have sent nothing yet. Walks the
    /// connections: only while a stop waits.
    private func requestsArriving(silent: Bool) -> Int {
        connections.all.reduce(0) { $0 + ($1.phase == .receiving && (silent || $1.received > 0) ? 1 : 0) }
    }

    // MARK: - Connections

    private func accepted(_ socket: Int32, from address: UnsafeMutablePointer<sockaddr>?) {
        // Nagle off: the tail of a response written in pieces (a file, a
        // stream) would wait for the client's delayed ACK, ~40 ms. (A
        // unix-domain socket refuses the option; nothing to do there.)
        var on: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let intake = RequestIntake(
            limits: settings.configuration.limits.parserLimits, bodies: bodies, announcesHeads: settings.app.mayBeAsync)
        guard let connection = ClientConnection(socket: socket, peer: PeerAddress.of(address), reactor: self, intake: intake)
        else { return settings.logger.error("could not set up a connection (out of memory?); closed it") }
        connections.add(connection)
        settings.counters.connectionOpened()
        if connections.count >= capacity && !full {
            full = true
            settings.logger.warning("\(connections.count) connections open: not accepting more until one closes")
            gate.pause(.full)
        }
        connection.start()
    }

    /// A connection closed and left the loop.
    func connectionClosed(_ connection: ClientConnection) {
        connections.remove(connection)
        settings.counters.connectionClosed()
        guard !closing else { return }
        if full && connections.count < capacity {
            full = false
            gate.resume(.full)
        }
        if draining { checkDrainSoon() }
    }

    /// A stop may be drained: look once the callback under way has returned.
    /// Not at once: a connection whose response just went out may be about
    /// to serve a request it has already received (pipelined), and the check
    /// must count it (it has not been dispatched yet).
    private func checkDrainSoon() {
        if let drainCheckEvent { event_active(drainCheckEvent, 0, 0) } else { stopIfDrained() }
    }

    // MARK: - Requests

    /// Runs the application for a request `connection` has read whole.
    func serve(_ head: inout RequestHead, input: RequestInput, on connection: ClientConnection) {
        let environ = settings.environBuilder.environ(for: &head, peer: connection.peer, input: input)
        guard case .sync(let app) = settings.app else {
            return serve(environ, app: settings.app.resolved(for: environ), head: head, on: connection)
        }
        serve(environ, app: .sync(app), head: head, on: connection)
    }

    /// Runs `app` (resolved: sync or async) for a request whose environ is made.
    func serve(_ environ: consuming Environ, app: AnyApplication, head: borrowing RequestHead, on connection: ClientConnection) {
        let exchange = spareExchanges.popLast()
            ?? ResponseExchange(handler: Handler(serverSoftware: settings.configuration.serverSoftware), reactor: self)
        exchange.reuse(environ: consume environ, connection: connection, minorVersion: head.minorVersion, keepAlive: head.keepAlive)
            .begin(app)
    }

    /// Keeps a finished exchange (and its handler, both emptied) for a later
    /// request, so that a request allocates neither.
    func keepForReuse(_ exchange: ResponseExchange) {
        if spareExchanges.count < Self.maxSpareExchanges && !closing { spareExchanges.append(exchange) }
    }

    /// A request was dispatched to the application.
    func responseStarted() {
        inFlight += 1
        settings.counters.requestStarted(queueDepth: settings.pool?.depth)
    }

    /// A response is over: written out, or its client gone.
    func responseOver() {
        inFlight -= 1
        if let left = stopAfterResponses {
            stopAfterResponses = left - 1
            if left <= 1 { event_base_loopbreak(base) }
        }
        if draining && !closing { checkDrainSoon() }
    }

    /// A timeout of `seconds` in libevent's common-timeout queue for it.
    func commonTimeout(_ seconds: Double) -> timeval {
        if let known = commonTimeouts[seconds] { return known }
        var duration = timeval(seconds: seconds)
        let common = event_base_init_common_timeout(base, &duration).pointee
        commonTimeouts[seconds] = common
        return common
    }
}

