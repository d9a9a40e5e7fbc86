import CLibEvent
import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The libevent server, in the shape of `wsgiref.simple_server.WSGIServer`:
/// one or more event loops (``EventServerConfiguration/reactors``), each with
/// its own listener, sharing one listening socket; the application runs on
/// the loop (inline) or on a worker pool (``EventServerConfiguration/threads``).
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
/// print("Serving on \(server.serverAddress.url)")
/// try server.serveForever()       // returns after shutdown() from any thread
/// server.close()
/// ```
///
/// Every libevent call happens on a loop thread; other threads only post work
/// to a loop (libevent #991, #1001). `shutdown()` is graceful: the loops stop
/// accepting, let the responses under way finish (up to
/// ``EventServerConfiguration/shutdownTimeout``), then return.
public final class EventServer: GatewayServer, @unchecked Sendable {
    // @unchecked: the reactors' libevent state is touched only by their loop
    // threads; cross-thread state lives in `lifecycle`, behind a mutex.

    /// The address the server listens on, with the real port (the first,
    /// when it listens on several).
    public let serverAddress: ServerAddress
    /// Every address the server listens on.
    public let serverAddresses: [ServerAddress]
    /// The configuration the server was made with (its ``EventServerConfiguration/port``
    /// is the one asked for; ``serverAddress`` has the one bound).
    public let configuration: EventServerConfiguration
    private let reactors: [Reactor]
    private let pool: WorkerPool?
    private let bodyBudget: BodyBudget
    private let counters: ServerCounters
    private var signalEvents: [OpaquePointer] = []

    private struct Lifecycle {
        var run = ServeLifecycle()
        var reactorsRunning = 0
    }
    private let lifecycle = Locked(Lifecycle())
    /// Signalled whenever a loop ends, for shutdown() and serveForever() to wait on.
    private let stopped = Condition()

    /// Binds and prepares a server; call ``serveForever()`` to start serving.
    public convenience init(configuration: EventServerConfiguration, app: @escaping Application) throws {
        try self.init(configuration: configuration, app: .sync(app))
    }

    /// Binds and prepares a server for an async application: each request
    /// runs in a task of its own, and reads its body as it arrives.
    ///
    /// ```swift
    /// let server = try EventServer(configuration: configuration, app: { environ, startResponse in
    ///     let rows = try await database.query(...)
    ///     try startResponse("200 OK", [("Content-Type", "application/json")])
    ///     return [rows.json]
    /// } as AsyncApplication)
    /// ```
    public convenience init(configuration: EventServerConfiguration, app: @escaping AsyncApplication) throws {
        try self.init(configuration: configuration, app: .async(app))
    }

    /// Binds and prepares a server for a sync or async application, or a
    /// choice between them per request (`AnyApplication`).
    public convenience init(configuration: EventServerConfiguration, app: AnyApplication) throws {
        try self.init(configuration: configuration, listeners: EventServer.listeners(for: configuration), app: app)
    }

    /// The sockets a configuration describes: its ``EventServerConfiguration/listeners``
    /// when given (systemd's), else one bound here (TCP or unix).
    package static func listeners(for configuration: EventServerConfiguration) throws -> [ListeningSocket] {
        if !configuration.listeners.isEmpty { return configuration.listeners }
        return [try bind(configuration)]
    }

    /// Binds the socket a configuration's host and port (or unix path) describe.
    package static func bind(_ configuration: EventServerConfiguration) throws -> ListeningSocket {
        if let path = configuration.unixPath {
            return try ListeningSocket(unixPath: path, backlog: configuration.backlog, permissions: configuration.unixPermissions)
        }
        return try ListeningSocket(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
    }

    /// Prepares a server on a socket bound already (prefork workers share
    /// their supervisor's); the server takes the descriptor over.
    package convenience init(configuration: EventServerConfiguration, listener: ListeningSocket, app: AnyApplication) throws {
        try self.init(configuration: configuration, listeners: [listener], app: app)
    }

    /// Prepares a server on several sockets bound already (systemd may pass
    /// a TCP and a unix socket): each gets ``EventServerConfiguration/reactors``
    /// loops of its own. The server takes the descriptors over.
    package init(configuration: EventServerConfiguration, listeners: [ListeningSocket], app: AnyApplication) throws {
        precondition(!listeners.isEmpty, "EventServer needs a listening socket")
        LibEvent.prepare()
        serverAddress = listeners[0].address
        serverAddresses = listeners.map(\.address)
        self.configuration = configuration
        counters = ServerCounters(dimensions: configuration.metricsDimensions)
        let pool = configuration.threads > 0 ? WorkerPool(
            threads: configuration.threads, maxPending: configuration.maxPending,
                maxWait: configuration.maxQueueWait) : nil
        self.pool = pool
        let bodyBudget = BodyBudget(capacity: configuration.limits.maxBufferedBodyBytes)
        self.bodyBudget = bodyBudget
        let spoolBudget = BodyBudget(capacity: configuration.limits.maxSpooledBodyBytes)
        let perListener = max(configuration.reactors, 1)
        // Each loop holds its share of what the process may hold, all listeners together.
        let maxConnections = ConnectionCap.forProcess(asked: configuration.limits.maxConnections, logger: configuration.logger)
        let perReactor = max(1, (maxConnections + perListener * listeners.count - 1) / (perListener * listeners.count))
        let accessLog = configuration.accessLog ? ServerAccessLog(output: StandardErrorOutput.shared) : nil
        var reactors: [Reactor] = []
        do {
            for socket in listeners {
                // SERVER_NAME and SERVER_PORT are the socket's the request came in on.
                let settings = ServingSettings(
                    configuration: configuration, app: app,
                    environBuilder: EnvironBuilder(
                        serverName: socket.address.host, serverPort: String(socket.address.port),
                        multithread: pool != nil || perListener * listeners.count > 1,
                        multiprocess: configuration.multiprocess, errors: configuration.errors),
                    pool: pool, bodyBudget: bodyBudget, spoolBudget: spoolBudget, connectionsPerReactor: perReactor,
                    counters: counters,
                    accessLog: accessLog)
                for _ in 0..<perListener { reactors.append(try Reactor(settings: settings, listener: socket.descriptor)) }
            }
        } catch {
            for reactor in reactors { reactor.close() }
            for socket in listeners { socket.close() }
            pool?.stop()
            throw error
        }
        self.reactors = reactors
        // Each reactor listens on its own duplicate: the originals are ours to close.
        for socket in listeners { socket.close() }
    }

    deinit { close() }

    /// What the server is doing now and has done (connections, queue,
    /// requests, refusals, body memory), from any thread.
    public var statistics: EventServerStatistics {
        var statistics = counters.snapshot
        statistics.queueDepth = pool?.depth ?? 0
        (statistics.bufferedBodyBytes, statistics.peakBufferedBodyBytes) = bodyBudget.usage
        return statistics
    }

    // MARK: - Lifecycle

    /// Serves requests until ``shutdown()`` is called (from any thread, or
    /// from a signal set up with ``stopOnSignals(_:)``).
    public func serveForever() throws {
        guard try begin(oneRequest: false) else { return }
        defer { end() }
        // The listeners are registered with every reactor since init.
        configuration.notifier?.notify(.ready)
        for reactor in reactors.dropFirst() {
            startEssentialThread { [self] in
                try? reactor.run()
                lifecycle.withLock { $0.reactorsRunning -= 1 }
                stopped.broadcast()
            }
        }
        do {
            try reactors[0].run()
        } catch {
            // The first loop failed: the others must stop before end() lets
            // close() free their bases.
            for reactor in reactors.dropFirst() { reactor.post { reactor.drain(deadline: 0, closing: false) } }
            stopped.wait(until: { self.lifecycle.withLock { $0.reactorsRunning == 1 } })
            throw error
        }
        // The first loop is done; wait for the others it asked to stop.
        stopped.wait(until: { self.lifecycle.withLock { $0.reactorsRunning == 1 } })
        configuration.logger.info("stopped: \(statistics)")
    }

    /// Serves exactly one request (waiting for it to arrive), then returns.
    /// With several reactors, the first one serves it.
    public func handleRequest() throws {
        guard try begin(oneRequest: true) else { return }
        defer { end() }
        try reactors[0].run(responses: 1)
    }

    /// Stops ``serveForever()`` gracefully; callable from any thread. From
    /// another thread it waits until the loops have stopped; a shutdown that
    /// comes before the loop starts makes the next ``serveForever()`` return at once.
    public func shutdown() { stop(closing: false) }

    /// Stops serving for good: the listener closes first, the backlog and the
    /// requests under way are served, then ``serveForever()`` returns.
    public func shutdownForExit() { stop(closing: true) }

    /// Asks the loops to stop and, from another thread, waits until they have.
    private func stop(closing: Bool) {
        if requestStop(closing: closing) { stopped.wait(until: { !self.lifecycle.withLock { $0.run.running } }) }
    }

    /// Asks every loop to drain and stop; true when the caller should wait for them.
    @discardableResult
    private func requestStop(closing: Bool) -> Bool {
        let (running, wait) = lifecycle.withLock { $0.run.requestStop() }
        if running {
            configuration.notifier?.notify(.stopping)
            let deadline = configuration.shutdownTimeout
            for reactor in reactors { reactor.post { reactor.drain(deadline: deadline, closing: closing) } }
        }
        return wait
    }

    /// Releases the listening socket, open connections, loops and workers.
    /// Call it after ``serveForever()`` returned; while a loop runs it does nothing.
    public func close() {
        // Not while a loop runs: its reactors would be freed under it.
        let first = lifecycle.withLock { state -> Bool in
            state.run.close()
        }
        guard first else { return }
        for event in signalEvents { event_free(event) }
        signalEvents = []
        for reactor in reactors { reactor.close() }
        pool?.stop()
        if let path = configuration.unixPath, configuration.listeners.isEmpty, !configuration.multiprocess { unlink(path) }
    }

    /// Stops the server gracefully when one of `signals` arrives (for
    /// example `[SIGINT, SIGTERM]`); the signal is handled on the first loop.
    /// Callable before or while it serves, from any thread; the signals are
    /// unblocked on that thread (the server's own threads block them).
    public func stopOnSignals(_ signals: [Int32]) {
        let register: @Sendable () -> Void = { [self] in
            let context = Unmanaged.passUnretained(self).toOpaque()
            for number in signals {
                guard let event = event_new(reactors[0].base, number, Int16(EV_SIGNAL | EV_PERSIST), { number, _, context in
                    let server = Unmanaged<EventServer>.fromOpaque(context!).takeUnretainedValue()
                    server.configuration.logger.info("received signal \(number), shutting down")
                    server.requestStop(closing: true)  // the process ends after: the socket closes first
                }, context) else { continue }
                event_add(event, nil)
                signalEvents.append(event)
            }
        }
        // libevent runs without locks: while the first loop runs, only its
        // thread may touch its base. Before, the lock keeps it from starting.
        let serving = lifecycle.withLock { state -> Bool in
            if state.run.running { return true }
            register()
            return false
        }
        if serving { reactors[0].post(register) }
        // Unblocked on this thread alone (the loop's, as a rule): the server's
        // threads are born with them blocked, and a parent may have spawned us
        // so. Registered first (unless serving): one pending meanwhile finds
        // libevent's handler, not the default action.
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    private func begin(oneRequest: Bool) throws -> Bool {
        try lifecycle.withLock { state in
            guard try state.run.begin(oneRequest: oneRequest) else { return false }
            state.reactorsRunning = oneRequest ? 1 : reactors.count
            return true
        }
    }

    private func end() {
        lifecycle.withLock { state in
            state.run.end()
            state.reactorsRunning = 0
        }
        stopped.broadcast()
    }
}

/// Why the event server could not start or run (a closed or busy server
/// throws `GatewayServerError`, as every server does).
public enum EventServerError: Error, Equatable, CustomStringConvertible {
    /// A libevent call failed (the call is named).
    case libevent(String)

    /// The failed call, in words.
    public var description: String {
        switch self {
        case .libevent(let what): return "libevent: \(what)"
        }
    }
}
