import CLibEvent
import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// One client connection on one loop: a libevent `bufferevent` whose input
/// goes through ``RequestIntake`` and whose output takes what
/// ``ResponseExchange`` and the ``ResponseWriter`` write. Loop thread only.
///
/// A request is served at a time: the next one (pipelined) is parsed once
/// the response before it has been written out, so responses go in request
/// order. Reading goes on meanwhile, up to ``readAhead`` bytes: a client
/// that resets the connection is noticed while its response is made; a
/// client that half-closes after its requests still gets every response.
///
/// One timer per connection keeps its deadline, whichever applies to its
/// phase (request arrival, keep-alive idle, lingering close); the write
/// side's progress is libevent's write timeout. Nothing walks connections.
final class ClientConnection {
    enum Phase {
        /// Between requests, nothing of the next one received.
        case idle
        /// A request is arriving (or, on a new connection, none yet).
        case receiving
        /// The application runs or its response is being written.
        case responding
        /// A response (or a refusal) is complete in the output buffer,
        /// which is draining to the socket.
        case flushing
        /// Our side is shut down after a refusal; what the client still
        /// sends is read and dropped for a moment, so that closing with
        /// unread bytes does not reset the connection and destroy the answer.
        case lingering
        case closed
    }

    /// What follows when the output buffer has drained after a response.
    private enum AfterFlush {
        case keepOpen
        case close
        case linger
    }

    private let events: OpaquePointer
    private let timer: OpaquePointer
    unowned let reactor: Reactor
    let peer: (host: String, port: Int)
    /// The connection's place in its reactor's table.
    var index = -1
    private let intake: RequestIntake
    @exclusivity(unchecked) private(set) var phase = Phase.receiving
    /// When the phase began, and the last sign of the client while receiving
    /// (``MonotonicClock``).
    @exclusivity(unchecked) private var since: Double
    @exclusivity(unchecked) private var lastActivity: Double
    /// Bytes of the request received in this `receiving` phase.
    @exclusivity(unchecked) private(set) var received = 0
    @exclusivity(unchecked) private var afterFlush = AfterFlush.keepOpen
    /// The output holds the end of a response the reactor counts as under way.
    @exclusivity(unchecked) private var flushEndsResponse = false
    /// The client closed its side (EOF): no more requests will come.
    @exclusivity(unchecked) private var peerClosed = false
    /// The response under way.
    @exclusivity(unchecked) var exchange: ResponseExchange?
    /// The budget the request's body holds until its response is done.
    @exclusivity(unchecked) private var heldBody: BodyBudget.Reservation?
    /// ``serveBuffered()`` is on the stack: a response finished within it
    /// (inline, whole) lets it go on instead of calling it again.
    @exclusivity(unchecked) private var serving = false
    /// The timer is set for this phase (not re-added while it stays).
    @exclusivity(unchecked) private var timerPhase: Phase?
    /// Output waits for the socket and libevent writes it (EV_WRITE is
    /// enabled only then): see ``flushOutput(now:)``.
    @exclusivity(unchecked) private var writePending = false
    /// A request whose head was read and whose synchronous application
    /// waits for its body (``RequestIntake/announcesHeads``).
    @exclusivity(unchecked) private var awaitingBody: (environ: Environ, app: AnyApplication)?
    /// The request's body could not be read to its end (refused, timed
    /// out, cut short): the connection closes after the response.
    @exclusivity(unchecked) private var closeAfterResponse = false
    /// The response is out; the connection closes once the rest of its
    /// request's body has been read and dropped.
    @exclusivity(unchecked) private var closeAfterBody = false

    /// Bytes read ahead of the request being served (pipelined requests, a
    /// FIN); past this, reading pauses until they are parsed.
    static let readAhead = 64 * 1024
    /// How long a lingering close waits for the client to stop sending.
    static let lingerSeconds = 2.0
    private static let continueBytes = ServerResponse.continue.bytes

    init?(socket: Int32, peer: (host: String, port: Int), reactor: Reactor, intake: RequestIntake) {
        guard let events = bufferevent_socket_new(reactor.base, socket, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)) else {
            Glibc.close(socket)
            return nil
        }
        // Its callback and argument are set in start(), once `self` exists.
        guard let timer = event_new(reactor.base, -1, 0, { _, _, _ in }, nil) else {
            bufferevent_free(events)
            return nil
        }
        self.events = events
        self.timer = timer
        self.reactor = reactor
        self.peer = peer
        self.intake = intake
        since = MonotonicClock.seconds()
        lastActivity = since
    }

    /// Wires the callbacks and starts reading. The reactor's table holds
    /// the connection from here until ``close()``, so libevent's pointers to
    /// it (unretained) stay valid.
    func start() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        event_assign(timer, reactor.base, -1, 0, { _, _, context in
            Unmanaged<ClientConnection>.fromOpaque(context!).takeUnretainedValue().deadlinePassed()
        }, context)
        bufferevent_setcb(events, { _, context in
            Unmanaged<ClientConnection>.fromOpaque(context!).takeUnretainedValue().readable()
        }, { _, context in
            Unmanaged<ClientConnection>.fromOpaque(context!).takeUnretainedValue().drained()
        }, { _, what, context in
            Unmanaged<ClientConnection>.fromOpaque(context!).takeUnretainedValue().eventOccurred(what)
        }, context)
        bufferevent_setwatermark(events, Int16(EV_READ), 0, Self.readAhead)
        var writeTimeout = reactor.writeTimeout
        bufferevent_set_timeouts(events, nil, &writeTimeout)
        // Writing is ours until the socket pushes back (flushOutput(now:)).
        bufferevent_disable(events, Int16(EV_WRITE))
        bufferevent_enable(events, Int16(EV_READ))
        setTimer()
    }

    private var input: OpaquePointer { bufferevent_get_input(events) }
    private var output: OpaquePointer { bufferevent_get_output(events) }

    // MARK: - Reading

    private func readable() {
        switch phase {
        case .idle, .receiving:
            serveBuffered()
        case .lingering:
            evbuffer_drain(input, evbuffer_get_length(input))
        case .responding:
            feedStream()  // a body streamed to an async application; else parsed after the response
        case .flushing, .closed:
            break  // parsed after the response; the read-ahead bounds the buffer
        }
    }

    /// Parses what the input buffer holds and serves each request it
    /// completes, in order, until the bytes run out or a response must be
    /// written out before the next request is read.
    private func serveBuffered() {
        guard !serving else { return }
        serving = true
        defer { serving = false }
        let input = self.input
        while phase == .idle || phase == .receiving {
            guard evbuffer_get_length(input) > 0 else { break }
            if phase == .idle { startReceiving() }
            let (consumed, outcome) = parseBuffered(input)
            evbuffer_drain(input, consumed)
            received += consumed
            switch consume outcome {
            case .needMore:
                if intake.takeContinueDue() {
                    write(Self.continueBytes)
                    flushOutput()
                }
                lastActivity = MonotonicClock.seconds()
            case .request(let head, let body):
                dispatch(head, body)
            case .head(let head):
                headArrived(head)
            case .refused(let refusal, let toHead):
                refuse(refusal, toHead: toHead)
            case .bodyStreamed:
                // The end of a body read and dropped after its response.
                if closeAfterBody {
                    closeAfterBody = false
                    return flush(then: .close, endsResponse: false)
                }
            }
        }
        if peerClosed && (phase == .idle || phase == .receiving) { return inputEnded() }
        setTimer()
    }

    /// Feeds the input buffer's bytes, where they lie, to the intake until
    /// it has an outcome other than "need more". Returns the bytes it used.
    private func parseBuffered(_ input: OpaquePointer) -> (Int, RequestIntake.Outcome) {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: 8) { vectors in
            let filled = min(Int(evbuffer_peek(input, -1, nil, vectors.baseAddress, 8)), 8)
            var consumed = 0
            for vector in vectors.prefix(filled) {
                let bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
                let (used, outcome) = intake.take(bytes)
                consumed += used
                if case .needMore = outcome { continue }
                return (consumed, outcome)
            }
            return (consumed, .needMore)
        }
    }

    private func startReceiving() {
        phase = .receiving
        since = MonotonicClock.seconds()
        lastActivity = since
        received = 0
    }

    /// The client closed its side: a request it cut short gets no answer
    /// (nobody is left to read one), only a log line.
    private func inputEnded() {
        if let refusal = intake.finish() { reactor.settings.logger.requestCutShort(from: peer.host, refusal.reason) }
        close()
    }

    // MARK: - Streaming a body to an async application

    /// A head, read before its body because the application may be async
    /// (``RequestIntake/announcesHeads``): an async application is run now
    /// and reads the body as it arrives; a synchronous one gets it whole.
    private func headArrived(_ head: consuming RequestHead) {
        closeAfterResponse = false
        let endpoints = reactor.settings.configuration.endpoints
        if !endpoints.isEmpty, endpoints.answer(method: head.method, target: head.target, stopping: false) != nil {
            return collectBody(of: head)  // the server answers it: dispatch(_:_:)
        }
        var environ = reactor.settings.environBuilder.environ(for: &head, peer: peer, input: RequestInput.holding([]))
        let app = reactor.settings.app.resolved(for: environ)
        let bodiless = head.framing == .none || head.framing == .length(0)
        guard case .async = app else {
            if bodiless {
                // Complete already: served now, the environ made once.
                intake.streamBody(of: head, into: nil)  // takes the request's end
                phase = .responding
                if refusedForAFullPool(head) { return }
                reactor.responseStarted()
                return reactor.serve(environ, app: app, head: head, on: self)
            }
            awaitingBody = (environ, app)
            return collectBody(of: head)
        }
        phase = .responding
        reactor.responseStarted()
        if bodiless {
            intake.streamBody(of: head, into: nil)  // no body: the shared empty input
        } else {
            let reactor = UnsafeTransfer(self.reactor)
            let connection = UnsafeTransfer(self)
            let stream = RequestBodyStream { stream in
                reactor.value.post({ connection.value.bodyDemanded(by: stream) })
            }
            environ.input = RequestInput(stream: stream)
            intake.streamBody(of: head, into: stream)
            armStreamTimer()
            feedStream()  // what came with the head (then no `100 Continue` is due)
        }
        reactor.serve(environ, app: app, head: head, on: self)
    }

    /// The body is read whole before the request is dispatched.
    private func collectBody(of head: consuming RequestHead) {
        switch intake.collectBody(of: head) {
        case .request(let head, let body):
            dispatch(head, body)
        case .refused(let refusal, let toHead):
            awaitingBody = nil
            refuse(refusal, toHead: toHead)
        case .needMore, .head, .bodyStreamed:
            // The body is on its way, or waits for our word (unless some
            // of it came already: serveBuffered() parses it next).
            if evbuffer_get_length(input) == 0 && intake.takeContinueDue() {
                write(Self.continueBytes)
                flushOutput()
            }
        }
    }

    /// The application read, or took enough to make room: `100 Continue`
    /// if the client waits for it, and reading on.
    private func bodyDemanded(by stream: RequestBodyStream) {
        guard phase == .responding, intake.stream === stream else { return }
        // The client's turn: the stall window counts from here.
        lastActivity = MonotonicClock.seconds()
        feedStream()
        if intake.stream != nil && exchange?.headSent == false && intake.takeContinueDue() {
            write(Self.continueBytes)
            flushOutput()
        }
    }

    /// Whether the connection may carry a next request after this
    /// response, as far as the request's body goes: not when it could not
    /// be read, nor when the client still waits for `100 Continue` (it may
    /// never send the body it announced).
    var bodyAllowsKeepAlive: Bool {
        !closeAfterResponse && !(intake.stream != nil && intake.continuePending)
    }

    /// Moves the body's bytes from the input buffer to the application's
    /// stream while it has room; past that, the input buffer fills to its
    /// read-ahead and libevent stops reading the socket: backpressure.
    private func feedStream() {
        guard let stream = intake.stream else { return }
        let input = self.input
        while evbuffer_get_length(input) > 0 {
            if stream.room == 0 {
                if stream.pause() { break }  // demand() calls back
                continue
            }
            let (consumed, outcome) = parseBuffered(input)
            evbuffer_drain(input, consumed)
            received += consumed
            if consumed > 0 { lastActivity = MonotonicClock.seconds() }
            switch consume outcome {
            case .needMore:
                if consumed == 0 { return }
            case .bodyStreamed:
                if peerClosed { exchange?.cancel() }  // the whole body came, then the client closed
                return
            case .refused(let refusal, _):
                bodyFailed(refusal)
                return
            case .request, .head:
                return  // not while a body streams
            }
        }
        // The client closed before its body's end (what it sent is all in the stream).
        if peerClosed, intake.stream != nil, evbuffer_get_length(input) == 0, let refusal = intake.finish() {
            // Cut short: nobody is left to answer, as for a synchronous application.
            reactor.settings.logger.requestCutShort(from: peer.host, refusal.reason)
            close()
        }
    }

    /// The streamed body cannot be read to its end: the application's
    /// reads throw `refusal` (its status answers, if no head went out yet).
    private func bodyFailed(_ refusal: RequestRefusal) {
        reactor.settings.counters.refused(status: refusal.status)
        reactor.settings.logger.refusedRequest(from: peer.host, refusal)
        intake.abandonStream(refusal)
        closeAfterResponse = true
    }

    private var streamWindow: Double {
        let limits = reactor.settings.configuration.limits
        return min(limits.requestTimeout, limits.idleTimeout)
    }

    /// While a body streams, the client must send some of it within the
    /// window, unless the application is what holds it up (it has not read
    /// yet, or not made room: see deadlinePassed()).
    private func armStreamTimer() {
        timerPhase = .responding
        var delay = reactor.commonTimeout(streamWindow)
        event_add(timer, &delay)
    }

    // MARK: - Responding

    private func dispatch(_ head: consuming RequestHead, _ body: RequestIntake.Body) {
        phase = .responding
        closeAfterResponse = false
        let requestInput: RequestInput
        switch consume body {
        case .none:
            requestInput = RequestInput.holding([])
        case .held(let bytes, let reservation):
            requestInput = RequestInput.holding(bytes)
            heldBody = reservation
        case .spooled(let spool):
            requestInput = spool.input()
            reactor.settings.counters.bodySpooled()
        }
        let endpoints = reactor.settings.configuration.endpoints
        if !endpoints.isEmpty,
           let answer = endpoints.answer(method: head.method, target: head.target, stopping: reactor.draining) {
            reactor.responseStarted()
            let keeps = writeHead(answer.head, minorVersion: head.minorVersion, keepAlive: head.keepAlive && !reactor.draining,
                                  body: answer.body)
            reactor.settings.counters.requestFinished(seconds: 0)  // made at once: nothing to time
            return flush(then: keeps ? .keepOpen : .close, endsResponse: true)
        }
        if refusedForAFullPool(head) { return }
        reactor.responseStarted()
        if let (environ, app) = awaitingBody.take() {
            var environ = environ
            environ.input = requestInput
            return reactor.serve(environ, app: app, head: head, on: self)
        }
        reactor.serve(&head, input: requestInput, on: self)
    }

    /// A 503 when the worker pool's queue is full, instead of serving the request.
    private func refusedForAFullPool(_ head: borrowing RequestHead) -> Bool {
        guard let pool = reactor.settings.pool, !pool.hasRoom else { return false }
        reactor.settings.logger.warning("worker queue full (\(pool.depth) waiting): 503 to \(peer.host) for \(head.target)")
        awaitingBody = nil
        refuse(RequestRefusal(.overloaded, "worker queue full"), toHead: head.isHead, logged: true)
        return true
    }

    /// Adds bytes to the output buffer; ``flushOutput(now:)`` sends them.
    func write(_ bytes: [UInt8]) {
        guard phase != .closed else { return }
        bytes.withUnsafeBytes { _ = evbuffer_add(output, $0.baseAddress, $0.count) }
    }

    /// Writes a response head, and a small body after it, straight into
    /// space reserved in the output buffer (no copy on the way). Returns
    /// whether the connection stays open after the response
    /// (``ResponseWriter/writeHead(_:minorVersion:keepAlive:into:)``).
    func writeHead(_ head: ResponseHead, minorVersion: Int, keepAlive: Bool, body: [UInt8] = []) -> Bool {
        let size = ResponseWriter.headSize(head, minorVersion: minorVersion, keepAlive: keepAlive)
        var space = iovec()
        guard phase != .closed, evbuffer_reserve_space(output, size + body.count, &space, 1) == 1 else {
            var bytes: [UInt8] = []  // no room reserved (out of memory): the slow way, or nothing once closed
            let keeps = ResponseWriter.writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive, into: &bytes)
            write(bytes + body)
            return keeps
        }
        let keeps = ResponseWriter.writeHead(
            head, minorVersion: minorVersion, keepAlive: keepAlive, into: UnsafeMutableRawBufferPointer(start: space.iov_base, count: size))
        body.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress { (space.iov_base! + size).copyMemory(from: source, byteCount: bytes.count) }
        }
        space.iov_len = size + body.count
        evbuffer_commit_space(output, &space, 1)
        return keeps
    }

    /// Adds `length` bytes of a file from `offset`; they go out with
    /// sendfile, and libevent owns (and closes) `descriptor`. False when it refused.
    func writeFile(_ descriptor: Int32, offset: Int, length: Int) -> Bool {
        guard phase != .closed else { return false }
        return evbuffer_add_file(output, descriptor, Int64(offset), Int64(length)) == 0
    }

    /// Bytes in the output buffer, not yet handed to the socket.
    var outputLength: Int { phase == .closed ? 0 : evbuffer_get_length(output) }

    /// Hands the output to the socket: `now`, with one write from here, as
    /// far as the socket takes it; what is left (or all, when not `now`)
    /// libevent writes once the socket can take it, and ``drained()``
    /// follows. True when the output is empty now. Writing at once spares
    /// each response a trip through the loop and two epoll changes (adding
    /// and removing the write event), which libevent's own write path costs.
    @discardableResult
    func flushOutput(now: Bool = true) -> Bool {
        guard phase != .closed else { return false }
        guard !writePending else { return false }  // libevent is on it; drained() follows
        let output = self.output
        if now && evbuffer_get_length(output) > 0 {
            // The bufferevent keeps the output's front frozen: only its own write drains it.
            evbuffer_unfreeze(output, 1)
            // A failed write leaves the bytes: libevent's write then fails as well and reports it.
            _ = evbuffer_write(output, bufferevent_getfd(events))
            evbuffer_freeze(output, 1)
        }
        if evbuffer_get_length(output) == 0 { return true }
        writePending = true
        bufferevent_enable(events, Int16(EV_WRITE))
        return false
    }

    /// The response is all in the output buffer: once it has drained, the
    /// connection reads the next request or closes.
    func responseWritten(keepOpen: Bool) {
        guard phase == .responding else { return }
        exchange = nil
        let keepOpen = keepOpen && bodyAllowsKeepAlive
        if intake.stream != nil {
            guard bodyAllowsKeepAlive else {
                intake.abandonStream(CancellationError())
                return flush(then: .close, endsResponse: true)
            }
            // The application is done without reading all of its body: the
            // rest is read and dropped, as a synchronous application's was
            // before it ran, so that closing never resets the response.
            intake.discardRestOfBody()
            closeAfterBody = !keepOpen
            return flush(then: .keepOpen, endsResponse: true)
        }
        flush(then: keepOpen ? .keepOpen : .close, endsResponse: true)
    }

    private func flush(then next: AfterFlush, endsResponse: Bool) {
        phase = .flushing
        afterFlush = next
        flushEndsResponse = endsResponse
        if flushOutput() { flushed() }
    }

    /// libevent wrote out what the socket had pushed back (its write
    /// callback, at the low watermark: zero). Writing is ours again.
    private func drained() {
        guard writePending else { return }
        writePending = false
        bufferevent_disable(events, Int16(EV_WRITE))
        switch phase {
        case .responding: exchange?.outputDrained()
        case .flushing: flushed()
        default: break
        }
    }

    private func flushed() {
        heldBody = nil
        if flushEndsResponse {
            flushEndsResponse = false
            reactor.responseOver()
        }
        guard phase == .flushing else { return }  // the reactor closed it (a stop)
        switch afterFlush {
        case .keepOpen:
            if intake.isIdle && evbuffer_get_length(input) == 0 {
                phase = .idle
                since = MonotonicClock.seconds()
            } else {
                startReceiving()
            }
            if !serving { serveBuffered() }
        case .close:
            // Bytes the client sent after a request that closes the
            // connection would make close() reset it: linger instead.
            if evbuffer_get_length(input) > 0 && !peerClosed { linger() } else { close() }
        case .linger:
            peerClosed ? close() : linger()
        }
    }

    // MARK: - Refusing

    /// Answers a request the server will not serve, then closes the
    /// connection (lingering). The application is never called.
    private func refuse(_ refusal: RequestRefusal, toHead: Bool, logged: Bool = false) {
        reactor.settings.counters.refused(status: refusal.status)
        if !logged { reactor.settings.logger.refusedRequest(from: peer.host, refusal) }
        write(ServerResponse.answering(refusal, serverSoftware: reactor.settings.configuration.serverSoftware,
                                       toHead: toHead).bytes)
        flush(then: .linger, endsResponse: false)
    }

    // MARK: - Closing

    private func linger() {
        phase = .lingering
        _ = shutdown(bufferevent_getfd(events), Int32(SHUT_WR))
        evbuffer_drain(input, evbuffer_get_length(input))
        bufferevent_enable(events, Int16(EV_READ))
        setTimer()
    }

    /// Closes the connection now (unsent output is dropped) and leaves the
    /// reactor's table. An exchange still under way hears of it.
    func close() {
        guard phase != .closed else { return }
        if phase == .responding || (phase == .flushing && flushEndsResponse) { reactor.responseOver() }
        phase = .closed
        heldBody = nil
        awaitingBody = nil
        intake.abandonStream(CancellationError())
        let exchange = self.exchange
        self.exchange = nil
        exchange?.connectionClosed()
        event_free(timer)
        bufferevent_free(events)
        reactor.connectionClosed(self)
    }

    private func eventOccurred(_ what: Int16) {
        let what = Int32(what)
        if what & Int32(BEV_EVENT_EOF) != 0 {
            peerClosed = true
            switch phase {
            case .idle, .receiving: inputEnded()
            case .lingering: close()
            case .responding:
                feedStream()  // a streamed body's bytes still buffered go first; a cut-short one fails
                // A client that closes its side once its body is in may be
                // gone: an async application's task is cancelled (as Go's
                // servers cancel a request's context), and what it answers
                // still goes out to a client that only half-closed.
                if intake.stream == nil { exchange?.cancel() }
            case .flushing, .closed: break  // answered first; the end is read after
            }
        } else if what & Int32(BEV_EVENT_TIMEOUT) != 0 {
            reactor.settings.logger.info("closing connection from \(peer.host): the client stopped reading its response")
            close()
        } else if what & Int32(BEV_EVENT_ERROR) != 0 {
            close()  // reset, or a failed write: the client is gone
        }
    }

    // MARK: - Deadlines

    /// Sets the timer for the phase's deadline, unless it is set for it already.
    private func setTimer() {
        guard timerPhase != phase, phase != .closed else { return }
        let limits = reactor.settings.configuration.limits
        let wait: Double
        switch phase {
        case .idle: wait = min(limits.keepAliveTimeout, limits.idleTimeout)
        case .receiving: wait = min(limits.requestTimeout, limits.idleTimeout)
        case .lingering: wait = Self.lingerSeconds
        case .responding, .flushing, .closed: return  // the timer may stay: it finds nothing to do
        }
        timerPhase = phase
        var delay = reactor.commonTimeout(wait)
        event_add(timer, &delay)
    }

    /// The timer fired: close if the phase's deadline has passed, else set
    /// it again for what is left (a phase changed since it was set).
    private func deadlinePassed() {
        timerPhase = nil
        let limits = reactor.settings.configuration.limits
        let now = MonotonicClock.seconds()
        var left: Double
        switch phase {
        case .idle:
            left = since + min(limits.keepAliveTimeout, limits.idleTimeout) - now
        case .receiving:
            let allowed = limits.requestTimeout
                + (limits.minRequestRate > 0 ? Double(received) / Double(limits.minRequestRate) : 0)
            left = min(since + allowed, lastActivity + limits.idleTimeout) - now
            if left <= 0 {
                reactor.settings.logger.info(
                    "closing connection from \(peer.host): request not received within \(Int(allowed)) s (\(received) bytes)")
            }
        case .lingering:
            left = 0
        case .responding:
            guard let stream = intake.stream else { return }
            if stream.waitsForDemand || evbuffer_get_length(input) > 0 || intake.continuePending {
                // The application holds the body up (it has not read yet,
                // or not enough to make room), not the client.
                lastActivity = now
            }
            left = lastActivity + streamWindow - now
            if left <= 0 {
                bodyFailed(RequestRefusal(.timedOut, "request body stalled for \(Int(streamWindow)) s"))
                return
            }
        case .flushing, .closed:
            return
        }
        guard left > 0 else { return close() }
        var delay = timeval(seconds: left)
        event_add(timer, &delay)
        timerPhase = phase
    }

    // MARK: - Stopping

    /// A stop: a connection idle between requests closes now.
    func closeIfIdle() {
        if phase == .idle { close() }
    }
}
