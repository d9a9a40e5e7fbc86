import CLibEvent
import Gateway
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The libevent server: one event loop and one `evhttp` serving an
/// ``Application``, in the shape of `wsgiref.simple_server.WSGIServer`.
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
/// print("Serving on \(server.serverAddress.url)")
/// try server.serveForever()       // returns after shutdown() from any thread
/// server.close()
/// ```
///
/// The application runs on the loop thread (inline mode): the fastest choice
/// for applications that do not block. Every evhttp call happens on the loop
/// thread; other threads only wake it (libevent #991, #1001).
public final class EventServer: GatewayServer, @unchecked Sendable {
    // @unchecked: the libevent pointers below are touched only by the thread
    // running the loop (or by close() when no loop runs); cross-thread state
    // lives in `lifecycle`, behind a mutex.

    /// The address the server listens on, with the real port.
    public let serverAddress: ServerAddress
    public let configuration: EventServerConfiguration
    private let app: Application
    private let logger: Logger

    private let base: OpaquePointer
    private let http: OpaquePointer
    private var wakeEvent: OpaquePointer?
    /// Reused for every response sent in one piece (loop thread only).
    let scratchBuffer: OpaquePointer
    private var environBuilder: EnvironBuilder
    private var signalEvents: [OpaquePointer] = []

    private struct Lifecycle {
        var running = false
        var closed = false
        var stopRequested = false
        var loopThread: pthread_t?
        /// Set while `handleRequest()` waits for one response to finish.
        var stopAfterOneRequest = false
    }
    private let lifecycle = Mutex(Lifecycle())
    /// Signalled each time a loop run ends, for `shutdown()` to wait on.
    private let stopped = Condition()

    /// Binds and prepares a server; call ``serveForever()`` to start serving.
    public init(configuration: EventServerConfiguration, app: @escaping Application) throws {
        let socket = try ListeningSocket(
            host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        guard let base = LibEvent.makeBase() else {
            socket.close()
            throw EventServerError.libevent("event_base_new failed")
        }
        guard let http = evhttp_new(base) else {
            socket.close()
            event_base_free(base)
            throw EventServerError.libevent("evhttp_new failed")
        }
        self.base = base
        self.http = http
        self.scratchBuffer = evbuffer_new()
        self.app = app
        self.configuration = configuration
        self.logger = configuration.logger
        self.serverAddress = socket.address
        self.environBuilder = EnvironBuilder(
            serverName: socket.address.host, serverPort: String(socket.address.port),
            multithread: false, multiprocess: false, errors: configuration.errors)

        // evhttp would otherwise label every response text/html; ISO-8859-1.
        evhttp_set_default_content_type(http, nil)
        let methods = [EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                       EVHTTP_REQ_OPTIONS, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(http, { request, context in
            guard let request, let context else { return }
            Unmanaged<EventServer>.fromOpaque(context).takeUnretainedValue().respond(to: EvhttpRequest(raw: request))
        }, context)
        guard evhttp_accept_socket_with_handle(http, socket.descriptor) != nil else {
            socket.close()
            throw EventServerError.libevent("evhttp_accept_socket failed")
        }
        wakeEvent = event_new(base, -1, 0, { _, _, context in
            Unmanaged<EventServer>.fromOpaque(context!).takeUnretainedValue().wokenUp()
        }, context)
    }

    deinit { close() }

    // MARK: - Lifecycle

    /// Serves requests until ``shutdown()`` is called (from any thread, or
    /// from a signal set up with ``stopOnSignals(_:)``).
    public func serveForever() throws {
        try runLoop(oneRequest: false)
    }

    /// Serves exactly one request (waiting for it to arrive), then returns.
    public func handleRequest() throws {
        try runLoop(oneRequest: true)
    }

    /// Makes ``serveForever()`` return; callable from any thread. From
    /// another thread it waits until the loop has stopped; a shutdown that
    /// comes before the loop starts makes the next ``serveForever()`` return at once.
    public func shutdown() {
        let wait: Bool = lifecycle.withLock { state in
            guard !state.closed else { return false }
            state.stopRequested = true
            return state.running && state.loopThread.map { pthread_equal($0, pthread_self()) == 0 } ?? false
        }
        if let wakeEvent { event_active(wakeEvent, 0, 0) }
        if wait { stopped.wait(until: { !self.lifecycle.withLock { $0.running } }) }
    }

    /// Releases the listening socket, open connections and the event loop.
    /// Call it after ``serveForever()`` returned.
    public func close() {
        let first = lifecycle.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        for event in signalEvents { event_free(event) }
        signalEvents = []
        if let wakeEvent { event_free(wakeEvent) }
        wakeEvent = nil
        evhttp_free(http)
        evbuffer_free(scratchBuffer)
        event_base_free(base)
    }

    /// Stops the server gracefully when one of `signals` arrives (for
    /// example `[SIGINT, SIGTERM]`); the signal is handled on the loop.
    public func stopOnSignals(_ signals: [Int32]) {
        // A parent may have spawned us with these signals blocked (a blocked
        // SIGTERM would never reach libevent's handler).
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let context = Unmanaged.passUnretained(self).toOpaque()
        for number in signals {
            guard let event = event_new(base, number, Int16(EV_SIGNAL | EV_PERSIST), { number, _, context in
                let server = Unmanaged<EventServer>.fromOpaque(context!).takeUnretainedValue()
                server.logger.info("received signal \(number), shutting down")
                server.lifecycle.withLock { $0.stopRequested = true }
                server.wokenUp()
            }, context) else { continue }
            event_add(event, nil)
            signalEvents.append(event)
        }
    }

    private func runLoop(oneRequest: Bool) throws {
        let proceed: Bool = try lifecycle.withLock { state in
            guard !state.closed else { throw EventServerError.closed }
            guard !state.running else { throw EventServerError.alreadyRunning }
            if state.stopRequested && !oneRequest {
                state.stopRequested = false
                return false
            }
            state.running = true
            state.loopThread = pthread_self()
            state.stopAfterOneRequest = oneRequest
            return true
        }
        guard proceed else { return }
        defer {
            lifecycle.withLock { state in
                state.running = false
                state.loopThread = nil
                state.stopAfterOneRequest = false
                if !oneRequest { state.stopRequested = false }
            }
            stopped.broadcast()
        }
        if event_base_loop(base, 0) < 0 {
            throw EventServerError.libevent("event_base_loop failed")
        }
    }

    /// Runs on the loop thread after a wake-up: stops the loop if asked to.
    private func wokenUp() {
        if lifecycle.withLock({ $0.stopRequested && !$0.stopAfterOneRequest }) {
            event_base_loopbreak(base)
        }
    }

    // MARK: - Requests

    private func respond(to request: EvhttpRequest) {
        if let refusal = FramingCheck.refusal(for: request) {
            logger.info("refused request from \(request.peer.host): \(refusal)")
            sendError(400, to: request)
            return
        }
        normalizeConnectionHeader(of: request)
        let handler = Handler(environ: environBuilder.environ(for: request),
                              serverSoftware: configuration.serverSoftware)
        let head = handler.start(app)
        ResponseExchange.send(head, handler: handler, request: request, server: self)
    }

    /// evhttp sees `Connection: close` only when it is the whole value;
    /// reduce a list such as `keep-alive, close` to what it means.
    private func normalizeConnectionHeader(of request: EvhttpRequest) {
        guard let value = evhttp_find_header(request.inputHeaders, "Connection") else { return }
        let tokens = String(cString: value).lowercased().split(separator: ",").map {
            String($0.filter { $0 != " " && $0 != "\t" })
        }
        guard tokens.count > 1 || (tokens.first != "close" && tokens.first != "keep-alive") else { return }
        evhttp_remove_header(request.inputHeaders, "Connection")
        if tokens.contains("close") {
            evhttp_add_header(request.inputHeaders, "Connection", "close")
        } else if tokens.contains("keep-alive") {
            evhttp_add_header(request.inputHeaders, "Connection", "keep-alive")
        }
    }

    /// Answers a request the server refuses, and closes the connection.
    private func sendError(_ code: Int, to request: EvhttpRequest) {
        let reason = ResponseStatus.reasonPhrase(for: code)
        let body = Array("\(code) \(reason)\n".utf8)
        let output = request.outputHeaders
        evhttp_add_header(output, "Content-Type", "text/plain; charset=utf-8")
        evhttp_add_header(output, "Date", HTTPDate.now())
        evhttp_add_header(output, "Server", configuration.serverSoftware)
        evhttp_add_header(output, "Connection", "close")
        evhttp_remove_header(request.inputHeaders, "Connection")
        evhttp_add_header(request.inputHeaders, "Connection", "close")
        body.withUnsafeBytes { _ = evbuffer_add(scratchBuffer, $0.baseAddress, $0.count) }
        watchCompletion(of: request)
        evhttp_send_reply(request.raw, Int32(code), reason, scratchBuffer)
    }

    /// Tells the server when evhttp has written the whole response.
    func watchCompletion(of request: EvhttpRequest) {
        guard lifecycle.withLock({ $0.stopAfterOneRequest }) else { return }
        evhttp_request_set_on_complete_cb(request.raw, { _, context in
            Unmanaged<EventServer>.fromOpaque(context!).takeUnretainedValue().requestFinished()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A response is over (sent, or its client gone).
    func requestFinished() {
        if lifecycle.withLock({ $0.stopAfterOneRequest }) {
            event_base_loopbreak(base)
        }
    }
}

/// Why the event server could not start or run.
public enum EventServerError: Error, Equatable, CustomStringConvertible {
    case libevent(String)
    case closed
    case alreadyRunning

    public var description: String {
        switch self {
        case .libevent(let what): return "libevent: \(what)"
        case .closed: return "the server is closed"
        case .alreadyRunning: return "the server is already serving"
        }
    }
}
