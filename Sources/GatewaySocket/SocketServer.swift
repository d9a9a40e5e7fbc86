import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The pure-socket server: the package's `wsgiref.simple_server`, on plain
/// POSIX sockets with its own strict HTTP/1.1 parser and no libevent. It runs
/// the same applications as the libevent server, driven by the same
/// `Handler`.
///
/// ```swift
/// import GatewaySocket
/// let server = try makeServer(host: "127.0.0.1", port: 8000, app: demoApp)
/// try server.serveForever()
/// ```
///
/// Connections are served one at a time, on a thread each, or in a forked
/// process each (``SocketServerConfiguration/Mode``).
public final class SocketServer: GatewayServer, @unchecked Sendable {
    // @unchecked: the descriptors are immutable after init; every mutable
    // field lives behind `state`.

    /// The address the server listens on, with the real port when it was asked for port 0.
    public let serverAddress: ServerAddress
    /// The configuration the server was made with.
    public let configuration: SocketServerConfiguration
    private let app: AnyApplication
    private let listener: ListeningSocket
    /// A pipe whose read end becomes readable when the server stops.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private struct State {
        var run = ServeLifecycle()
        var activeThreads = 0
        var children: Set<pid_t> = []
        var openConnections: [Int32: SocketConnection] = [:]
        /// The stop came by signal: the process ends after it, the socket closes first.
        var closing = false
        var listenerClosed = false
        /// A stop began and no serving began since: connections under way
        /// close after their response, and the health check says 503.
        var stopBegun = false
        /// Fork mode's stop on a signal: the pipe the handler writes to, and the signals.
        var signalPipe: (descriptor: Int32, signals: [Int32])?
    }
    private let state = Locked(State())
    /// Broadcast when `running` ends or a connection thread finishes.
    private let changed = Condition()

    /// Binds the configuration's socket (TCP or unix) and prepares to serve `app`;
    /// call ``serveForever()`` or ``handleRequest()`` to serve. Ignores SIGPIPE
    /// for the process: a client that goes away must not end it.
    ///
    /// ```swift
    /// var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
    /// configuration.mode = .threads(maximum: 32)
    /// let server = try SocketServer(configuration: configuration, app: app)
    /// print("Serving on \(server.serverAddress.url)")
    /// ```
    public convenience init(configuration: SocketServerConfiguration, app: @escaping Application) throws {
        try self.init(configuration: configuration, app: .sync(app))
    }

    /// Binds and prepares to serve an async application. Each request still
    /// has its connection's thread, which waits for the application's task
    /// (never blocking a thread of the cooperative pool) and meanwhile feeds
    /// it the request body as it arrives: the application reads it with
    /// `await`, the server reads the socket only as fast as it takes it.
    ///
    /// ```swift
    /// let app: AsyncApplication = { environ, startResponse in
    ///     var size = 0
    ///     for try await chunk in environ.input.chunks { size += chunk.count }
    ///     try startResponse("200 OK", [("Content-Type", "text/plain")])
    ///     return ["read \(size) bytes\n"]
    /// }
    /// var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
    /// configuration.mode = .threads(maximum: 32)
    /// let server = try SocketServer(configuration: configuration, app: app)
    /// ```
    public convenience init(configuration: SocketServerConfiguration, app: @escaping AsyncApplication) throws {
        try self.init(configuration: configuration, app: .async(app))
    }

    /// Binds and prepares to serve a sync or async application, or a choice
    /// between them made for each request from its environ, before its body
    /// (`AnyApplication`). A synchronous application is served as by the
    /// `Application` initializer: the same path, unchanged.
    ///
    /// ```swift
    /// let app: AnyApplication = .choosing { environ in
    ///     (environ["PATH_INFO"] ?? "").hasPrefix("/api/") ? .async(api) : .sync(site)
    /// }
    /// let server = try SocketServer(configuration: SocketServerConfiguration(host: "127.0.0.1", port: 0), app: app)
    /// ```
    public init(configuration: SocketServerConfiguration, app: AnyApplication) throws {
        BrokenPipe.ignore()
        if let path = configuration.unixPath {
            listener = try ListeningSocket(unixPath: path, backlog: configuration.backlog, permissions: configuration.unixPermissions)
        } else {
            listener = try ListeningSocket(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            listener.close()
            throw SocketError.bind(host: configuration.host, port: configuration.port, errno: errno)
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        serverAddress = listener.address
        self.configuration = configuration
        self.app = app
    }

    deinit { close() }

    private var connectionServer: ConnectionServer {
        var multithread = false, multiprocess = false
        switch configuration.mode {
        case .single: break
        case .threads: multithread = true
        case .fork: multiprocess = true
        }
        return ConnectionServer(
            app: app, configuration: configuration, serverAddress: serverAddress,
            multithread: multithread, multiprocess: multiprocess, stopDescriptor: wakeRead,
            stopBegun: { [state] in state.withLock { $0.stopBegun } })
    }

    // MARK: - Lifecycle

    /// Accepts and serves connections, as the configuration's
    /// ``SocketServerConfiguration/mode`` says, until ``shutdown()`` or
    /// ``close()`` (from any thread) or a signal given to ``stopOnSignals(_:)``.
    /// Throws `SocketServerError/alreadyRunning` while another call serves
    /// and `SocketServerError/closed` after `close()`.
    public func serveForever() throws {
        guard try begin() else {
            state.withLock { $0.closing = false }  // a stop asked before: spent now
            return
        }
        defer { end() }
        if case .fork = configuration.mode, let threads = Self.threadCount(), threads > 1 {
            configuration.logger.warning(
                "fork mode in a process with \(threads) threads: a child forked while another thread holds a lock can hang")
        }
        while let connection = try nextConnection() {
            dispatch(connection)
        }
        if state.withLock({ $0.closing }) { finishForClosing() }
    }

    /// Stops the server when one of `signals` arrives (for example
    /// `[SIGINT, SIGTERM]`), as the event server's method of the same name
    /// does: the listening socket closes first (what its backlog held is
    /// served), the requests under way finish (up to
    /// ``SocketServerConfiguration/shutdownTimeout``), ``serveForever()``
    /// returns. A thread waits for the signals, blocked everywhere else;
    /// in fork mode, whose process must have no other thread when it forks,
    /// a handler wakes the accept loop instead (the children start with
    /// the signals blocked and finish what they hold).
    ///
    /// ```swift
    /// server.stopOnSignals([SIGINT, SIGTERM])
    /// try server.serveForever()
    /// server.close()
    /// ```
    public func stopOnSignals(_ signals: [Int32]) {
        if case .fork = configuration.mode, let descriptor = SignalPipe.install(on: signals) {
            state.withLock { $0.signalPipe = (descriptor, signals) }
            return
        }
        SignalStop.start(on: signals) { [self] in shutdownForExit() }
    }

    /// Stops serving for good: the listener stops taking connections and
    /// closes once its backlog is served, the connections under way finish,
    /// then ``serveForever()`` returns (and this with it).
    public func shutdownForExit() {
        state.withLock { $0.closing = true }
        shutdown()
    }

    /// A stop before the process ends: stop new handshakes, accept and
    /// serve what the backlog holds (for a round trip), close the socket,
    /// then let the connections under way finish; idle keep-alive ones
    /// close between requests (they see the stop), responses say `Connection: close`.
    private func finishForClosing() {
        ListeningSocket.stopHandshakes(on: listener.descriptor)
        var entry = pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            entry.revents = 0
            let ready = poll(&entry, 1, 250)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            if let connection = accept() { dispatch(connection) }
        }
        state.withLock { $0.listenerClosed = true }
        listener.close()
        let deadline = Int(configuration.shutdownTimeout * 100)
        for _ in 0..<deadline {
            reapChildren(block: false)
            if state.withLock({ $0.activeThreads == 0 && $0.children.isEmpty }) { return }
            usleep(10_000)
        }
        configuration.logger.warning("shutdown deadline passed with connections under way")
    }

    /// Accepts one connection, serves one request on it and returns
    /// (`wsgiref`'s `handle_request`); the connection is closed after it.
    public func handleRequest() throws {
        guard try begin(oneRequest: true) else { return }
        defer { end() }
        if let connection = try nextConnection() {
            connectionServer.serve(connection, maxRequests: 1)
            connection.close()
        }
    }

    /// Stops ``serveForever()`` and waits until it has returned; callable from
    /// any thread, and before ``serveForever()`` (which then returns at once).
    /// Connections already being served are left to ``close()``.
    public func shutdown() {
        let waitForLoop = state.withLock { state in
            state.stopBegun = true
            return state.run.requestStop().wait
        }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        changed.broadcast()  // an accept waiting for a free thread gives up
        guard waitForLoop else { return }
        changed.wait(until: { !state.withLock { $0.run.running } })
    }

    /// Closes the listening socket (a unix socket file the server made is
    /// removed); connections under way get
    /// ``SocketServerConfiguration/shutdownTimeout`` to finish. Call it once
    /// the server is done; serving after it throws `SocketServerError/closed`.
    public func close() {
        let connections: [SocketConnection]? = state.withLock { state in
            guard state.run.close(whileRunning: true) else { return nil }  // its loop notices the wake-up
            return Array(state.openConnections.values)
        }
        guard let connections else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        // Drain: the wake-up ends idle kept-alive connections; busy ones get
        // the shutdown timeout to finish their response.
        let deadline = Int(configuration.shutdownTimeout * 100)
        for _ in 0..<deadline where state.withLock({ $0.activeThreads > 0 }) { usleep(10_000) }
        for connection in connections { connection.shutdownBoth() }
        // Threads still serving see the shutdown and end; wait a little for them.
        for _ in 0..<500 where state.withLock({ $0.activeThreads > 0 }) { usleep(10_000) }
        stopChildren()
        if !state.withLock({ $0.listenerClosed }) { listener.close() }  // a stop by signal closed it already
        if let path = configuration.unixPath { unlink(path) }
        _ = Glibc.close(wakeRead)
        _ = Glibc.close(wakeWrite)
    }

    /// Marks the loop as running; false when a shutdown came first.
    private func begin(oneRequest: Bool = false) throws -> Bool {
        let started = try state.withLock { state in
            let started = try state.run.begin(oneRequest: oneRequest)
            if started { state.stopBegun = false }
            return started
        }
        if !started { drainWakePipe() }
        return started
    }

    private func end() {
        state.withLock { $0.run.end() }
        drainWakePipe()
        changed.broadcast()
    }

    private func drainWakePipe() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &scratch, scratch.count) > 0 {}
    }

    // MARK: - Accepting

    /// Waits for and accepts the next connection; nil once the server stops.
    private func nextConnection() throws -> SocketConnection? {
        let signalled = state.withLock { $0.signalPipe?.descriptor } ?? -1  // poll skips a negative descriptor
        var entries = [
            pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            pollfd(fd: signalled, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            if state.withLock({ $0.run.stopRequested }) { return nil }
            reapChildren(block: false)
            for index in entries.indices { entries[index].revents = 0 }
            let ready = poll(&entries, nfds_t(entries.count), 1000)
            if ready < 0 && errno != EINTR { throw SocketServerError.poll(errno: errno) }
            if entries[2].revents != 0 && SignalPipe.drain(signalled) {
                stopForSignal()
                return nil
            }
            if entries[1].revents != 0 && state.withLock({ $0.run.stopRequested }) { return nil }
            guard ready > 0, entries[0].revents != 0 else { continue }
            if let connection = accept() { return connection }
        }
    }

    /// Fork mode's stop on a signal, on the accept loop itself: what the
    /// signal thread does in the other modes, without waiting for the loop.
    private func stopForSignal() {
        state.withLock { state in
            state.closing = true
            state.stopBegun = true
            _ = state.run.requestStop()
        }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // children holding kept-alive connections close them between requests
    }

    private func accept() -> SocketConnection? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(listener.descriptor, $0, &length) }
        }
        guard fd >= 0 else {
            if errno == EMFILE || errno == ENFILE {
                configuration.logger.error("accept failed: out of file descriptors; pausing accept for 100 ms")
                usleep(100_000)
            }
            return nil
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let peer = (try? SocketAddressText.describe(storage)) ?? ServerAddress(host: "", port: 0)
        return SocketConnection(descriptor: fd, peer: (peer.host, peer.port), timeout: configuration.limits.idleTimeout)
    }

    private func dispatch(_ connection: SocketConnection) {
        switch configuration.mode {
        case .single:
            connectionServer.serve(connection)
            connection.close()
        case .threads(let maximum):
            changed.wait(until: { state.withLock { $0.activeThreads < maximum || $0.run.stopRequested } })
            let server = connectionServer
            state.withLock { state in
                state.activeThreads += 1
                state.openConnections[connection.descriptor] = connection
            }
            let work: @Sendable () -> Void = { [self] in
                server.serve(connection)
                state.withLock { state in
                    state.activeThreads -= 1
                    state.openConnections[connection.descriptor] = nil
                    connection.close()  // under the lock: close() cannot shut down a reused descriptor
                }
                changed.broadcast()
            }
            // No thread to be had: serve it here rather than drop it.
            if !startDetachedThread(work) { work() }
        case .fork(let maximum):
            // Waiting for a free slot, still heed a stop signal: the wake byte
            // makes children with kept-alive connections close them, freeing slots.
            while state.withLock({ $0.children.count >= maximum }) {
                reapChildren(block: false)
                if let pipe = state.withLock({ $0.signalPipe?.descriptor }), SignalPipe.drain(pipe) { stopForSignal() }
                usleep(5_000)
            }
            // Forked from this thread alone: the process has no other (no
            // signal thread in this mode), so the child inherits no lock held.
            let signalPipe = state.withLock { $0.signalPipe }
            let child = SignalPipe.fork(blocking: signalPipe?.signals ?? [])
            if child == 0 {
                listener.close()
                if let signalPipe { _ = Glibc.close(signalPipe.descriptor) }
                connectionServer.serve(connection)
                _exit(0)
            }
            if child > 0 {
                state.withLock { _ = $0.children.insert(child) }
            } else {
                // No process to be had: serve it here rather than drop it unanswered.
                configuration.logger.error("fork failed (errno \(errno)); serving the connection in the server process")
                connectionServer.serve(connection)
            }
            connection.close()
        }
    }

    /// Fork mode: lets the children serving connections finish for up to
    /// five seconds, then kills the rest, so closing leaves no process behind
    /// (a child forked from a threaded process can also deadlock on a lock
    /// another thread held at the fork).
    private func stopChildren() {
        for _ in 0..<500 {
            reapChildren(block: false)
            if state.withLock({ $0.children.isEmpty }) { return }
            usleep(10_000)
        }
        for child in state.withLock({ $0.children }) {
            kill(child, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(child, &status, 0)
            _ = state.withLock { $0.children.remove(child) }
        }
    }

    /// The threads of this process (Linux: /proc/self/task); nil when unknown.
    private static func threadCount() -> Int? {
        guard let directory = opendir("/proc/self/task") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return count
    }

    /// Reaps this server's own children only: `waitpid(-1)` would also take
    /// the exit status of processes the application or the host program
    /// started (seen: Foundation's `Process` then reported exit 0 for a
    /// child that had failed). With `block`, waits until one has exited.
    private func reapChildren(block: Bool) {
        while true {
            var reaped = false
            for child in state.withLock({ $0.children }) {
                var status: Int32 = 0
                if waitpid(child, &status, WNOHANG) == child {
                    state.withLock { _ = $0.children.remove(child) }
                    reaped = true
                }
            }
            if reaped || !block || state.withLock({ $0.children.isEmpty }) { return }
            usleep(5_000)
        }
    }
}

/// Why the socket server could not run (a closed or busy server throws
/// `GatewayServerError`, as every server does).
public enum SocketServerError: Error, Equatable {
    /// Waiting for connections with `poll(2)` failed with `errno`.
    case poll(errno: Int32)
}

