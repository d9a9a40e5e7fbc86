import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Prefork, like gunicorn's arbiter: the supervisor binds the socket once,
/// forks `processes` workers that each run an ``EventServer`` on it, and
/// watches them.
///
/// - A worker that dies is replaced.
/// - SIGTERM or SIGINT is forwarded to every worker (each drains gracefully);
///   the supervisor returns once they exited.
/// - SIGHUP starts a fresh set of workers, then stops the old set gracefully.
///
/// ```swift
/// var configuration = EventServerConfiguration(host: "0.0.0.0", port: 8080)
/// let prefork = try Prefork(configuration: configuration, processes: 4, app: app)
/// print("Serving on \(prefork.serverAddress.url)")
/// try prefork.run()
/// ```
///
/// Call it before starting any thread: `fork` copies only the calling thread.
public final class Prefork {
    /// The address served (the first, with several sockets from systemd).
    public let serverAddress: ServerAddress
    /// Every address served.
    public var serverAddresses: [ServerAddress] { listeners.map(\.address) }
    private let listeners: [ListeningSocket]
    private let configuration: EventServerConfiguration
    private let app: AnyApplication
    private let processes: Int
    private var workers: Set<pid_t> = []
    private let notifier: SystemdNotifier?
    private var logger: Logger { configuration.logger }

    /// Binds the configuration's socket (or takes its `EventServerConfiguration/listeners`)
    /// for `processes` workers serving `app`; nothing is forked until ``run()``.
    /// `wsgi.multiprocess` is true in the workers.
    public convenience init(configuration: EventServerConfiguration, processes: Int, app: @escaping Application) throws {
        try self.init(configuration: configuration, processes: processes, app: .sync(app))
    }

    /// The same for an async application.
    public convenience init(configuration: EventServerConfiguration, processes: Int, app: @escaping AsyncApplication) throws {
        try self.init(configuration: configuration, processes: processes, app: .async(app))
    }

    /// The same for a sync or async application, or a choice per request.
    public init(configuration: EventServerConfiguration, processes: Int, app: AnyApplication) throws {
        var configuration = configuration
        configuration.multiprocess = true
        listeners = try EventServer.listeners(for: configuration)
        // The supervisor reports for the service; workers stay silent.
        notifier = configuration.notifier
        configuration.notifier = nil
        serverAddress = listeners[0].address
        self.configuration = configuration
        self.app = app
        self.processes = max(processes, 1)
    }

    /// Supervises the workers until SIGTERM or SIGINT, then stops them.
    public func run() throws {
        var watched = sigset_t()
        sigemptyset(&watched)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&watched, number) }
        pthread_sigmask(SIG_BLOCK, &watched, nil)
        defer {
            pthread_sigmask(SIG_UNBLOCK, &watched, nil)
            if let path = configuration.unixPath, configuration.listeners.isEmpty { unlink(path) }
            closeListeners()
        }
        for _ in 0..<processes { try spawn() }
        // The socket listens since init: connections wait in its backlog for the workers.
        notifier?.notify(.ready)

        while true {
            var caught: Int32 = 0
            sigwait(&watched, &caught)
            switch caught {
            case SIGCHLD:
                replaceDeadWorkers()
            case SIGHUP:
                logger.info("SIGHUP: starting \(processes) new workers, stopping the old ones")
                notifier?.notify(.reloading)
                let old = workers
                for _ in 0..<processes { try spawn() }
                notifier?.notify(.ready)
                for pid in old { kill(pid, SIGTERM) }
                // Their exits arrive as SIGCHLD; `old` are no longer counted.
                workers.subtract(old)
                retiring.formUnion(old)
            default:
                logger.info("signal \(caught): stopping \(workers.count) workers")
                notifier?.notify(.stopping)
                stopAll()
                return
            }
        }
    }

    /// Workers told to stop (after SIGHUP): their exit is not a death to repair.
    private var retiring: Set<pid_t> = []

    private func spawn() throws {
        let pid = fork()
        guard pid >= 0 else { throw EventServerError.libevent("fork failed (errno \(errno))") }
        if pid == 0 { runWorker() }
        workers.insert(pid)
    }

    /// The worker process: serve until told to stop, then exit.
    private func runWorker() -> Never {
        var all = sigset_t()
        sigemptyset(&all)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&all, number) }
        pthread_sigmask(SIG_UNBLOCK, &all, nil)
        signal(SIGHUP, SIG_IGN)
        do {
            let server = try EventServer(
                configuration: configuration,
                listeners: listeners,  // the server closes these copies (the fork's) once its loops have theirs
                app: app)
            server.stopOnSignals([SIGINT, SIGTERM])
            try server.serveForever()
            server.close()
            _exit(0)
        } catch {
            logger.error("worker \(getpid()) failed: \(error)")
            _exit(1)
        }
    }

    private func replaceDeadWorkers() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if retiring.remove(pid) != nil { continue }
            guard workers.remove(pid) != nil else { continue }
            logger.warning("worker \(pid) died (status \(status)); starting a new one")
            try? spawn()
        }
    }

    private var listenersOpen = true

    private func closeListeners() {
        guard listenersOpen else { return }
        listenersOpen = false
        for listener in listeners { listener.close() }
    }

    private func stopAll() {
        let everyone = workers.union(retiring)
        // The socket goes away with us: the kernel stops starting handshakes
        // now, the workers accept what the backlog holds, then close.
        // (A worker never does this itself: after SIGHUP, its successors
        // go on serving the same socket.)
        // (Not on sockets inherited from systemd: they outlive us, and the filter with them.)
        if configuration.listeners.isEmpty {
            for listener in listeners { ListeningSocket.stopHandshakes(on: listener.descriptor) }
        }
        for pid in everyone { kill(pid, SIGTERM) }
        // Our copy must not keep the socket open once the workers close theirs
        // (each accepts what the backlog holds first): new clients are refused.
        closeListeners()
        let deadline = configuration.shutdownTimeout + 5
        var left = everyone
        var waited = 0.0
        while !left.isEmpty && waited < deadline {
            for pid in left {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { left.remove(pid) }
            }
            usleep(20_000)
            waited += 0.02
        }
        for pid in left {
            logger.warning("worker \(pid) did not stop in time; killing it")
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        workers = []
        retiring = []
    }
}
