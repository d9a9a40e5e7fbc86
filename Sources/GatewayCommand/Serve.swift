import ArgumentParser
import Foundation
import Gateway
import GatewayHTTP
import GatewayEvent
import GatewayMiddleware
import GatewaySocket
#if canImport(Glibc)
import Glibc
#endif

/// `NAME serve`: the command-line front of both servers, for the
/// applications of the ``ServiceCommand`` being run.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve one of the applications over HTTP.")

    @Option(help: ArgumentHelp(
        "A settings file: 'key = value' lines named after these flags (port = 8000); GATEWAY_* variables override it, flags override both.",
        valueName: "path"))
    var config: String?

    // Numbers are parsed `.unconditional`: the word after the flag is its
    // value even when it starts with a dash, so `--threads -1` is refused
    // for its value (checkNumbers) rather than as a missing one.
    //
    // Optional, so that --unix can refuse them when given; ``listenHost``
    // and ``listenPort`` are what is used.
    @Option(help: "Address to listen on (default: 127.0.0.1).")
    var host: String?

    @Option(parsing: .unconditional, help: "Port to listen on; 0 picks a free one (default: 8000).")
    var port: Int?

    @Option(help: "The application: \(ServiceCommand.current.applicationNames).")
    var app = ServiceCommand.current.applications[0].name

    @Option(help: "A folder for the application's files (what a static-file app serves).")
    var root = "."

    @Option(parsing: .unconditional, help: "Event backend: worker threads for the app (0 runs it on the event loop).")
    var threads = 0

    @Option(parsing: .unconditional, help: "Event backend: event loops sharing the listening socket.")
    var reactors = 1

    @Option(parsing: .unconditional, help: "Event backend: worker processes forked after binding, supervised (0: no prefork).")
    var processes = 0

    @Option(help: "Listen on this unix-domain socket path instead of host and port.")
    var unix: String?

    @Option(help: "With --unix: the socket file's mode, in octal (default 666: a proxy running as another user can connect).")
    var unixMode = "666"

    @Option(help: "With --unix: the socket file's group (a name or id), e.g. the proxy's, with --unix-mode 660.")
    var unixGroup: String?

    @Option(parsing: .unconditional, help: "Seconds a graceful shutdown waits for responses under way.")
    var shutdownTimeout: Double = 10

    @Option(parsing: .unconditional, help: "Event backend: connections open at once; past it, new ones wait to be accepted.")
    var maxConnections = RequestLimits().maxConnections

    @Option(parsing: .unconditional, help: "Event backend: seconds a whole request may take to arrive (extended by its rate, --min-request-rate).")
    var requestTimeout = RequestLimits().requestTimeout

    @Option(parsing: .unconditional, help: "Event backend: bytes per second that extend --request-timeout by one second each (0: fixed deadline).")
    var minRequestRate = RequestLimits().minRequestRate

    @Option(parsing: .unconditional, help: "Seconds a kept-alive connection may wait for its next request (default: event 30, socket 5).")
    var keepAliveTimeout: Double?

    @Option(parsing: .unconditional, help: "Seconds without progress reading or writing before a connection is dropped (default: event 60, socket 30).")
    var idleTimeout: Double?

    @Option(parsing: .unconditional, help: "Largest request head (request line and headers) in bytes; past it: 431.")
    var maxHeaderBytes = RequestLimits().maxHeaderBytes

    @Option(parsing: .unconditional, help: "Largest request body in bytes; past it: 413.")
    var maxBodyBytes = RequestLimits().maxBodyBytes

    @Option(parsing: .unconditional, help: "Event backend: requests that may wait for a worker (with --threads); past it, 503.")
    var maxPending = EventServerConfiguration().maxPending

    @Option(parsing: .unconditional, help: "Event backend: seconds the oldest request waiting for a worker may have waited before new ones get 503.")
    var maxQueueWait = EventServerConfiguration().maxQueueWait

    @Option(parsing: .unconditional, help: "Event backend: bodies up to this many bytes stay in memory (budget allowing); larger ones are spooled to disk.")
    var bodySpoolThreshold = RequestLimits().bodySpoolThreshold

    @Option(parsing: .unconditional, help: "Event backend: memory for request bodies, all connections together; past it, bodies are spooled.")
    var maxBufferedBodyBytes = RequestLimits().maxBufferedBodyBytes

    @Option(parsing: .unconditional, help: "Event backend: disk for spooled request bodies, all connections together; past it, 503.")
    var maxSpooledBodyBytes = RequestLimits().maxSpooledBodyBytes

    @Option(help: "Proxies whose X-Forwarded-For/-Proto (or Forwarded) headers are believed: IPs, CIDRs, 'unix', or '*' (default: no one).")
    var forwardedAllowIps = ""

    @Option(help: "Which forwarding headers trusted proxies send: x-forwarded or forwarded (RFC 7239); the other family is dropped.")
    var forwardedHeaders: ProxyHeaders.Style = .xForwarded

    @Option(help: "A path the server answers itself, never the app: 200 while serving, 503 once stopping (for a load balancer).")
    var healthPath: String?

    @Option(help: "A path the server answers itself with its metrics in Prometheus' text format (each worker its own with --processes).")
    var metricsPath: String?

    // Each boolean has its inverse, so a later source (the environment, the
    // command line) can turn off what an earlier one turned on, and back.
    @Flag(inversion: .prefixedNo, help: "Whether to write the access log (Common Log Format, on stderr).")
    var accessLog = true

    @Flag(inversion: .prefixedNo, help: "Whether to send a Server header (without: one header line less on every response).")
    var serverHeader = true

    @Option(help: "The server: event (libevent) or socket (pure sockets).")
    var backend: Backend = .event

    @Option(help: "How the socket backend serves connections: single, threads or fork.")
    var socketMode: SocketMode = .threads

    /// Where to listen when no unix socket is given.
    var listenHost: String { host ?? "127.0.0.1" }
    var listenPort: Int { port ?? 8000 }

    enum Backend: String, ExpressibleByArgument, CaseIterable { case event, socket }
    enum SocketMode: String, ExpressibleByArgument, CaseIterable { case single, threads, fork }

    func validate() throws {
        guard ServiceCommand.current.application(named: app) != nil else {
            throw ValidationError("unknown app '\(app)'; choose one of \(ServiceCommand.current.applicationNames)")
        }
        try checkNumbers()
        do {
            _ = try ForwardedAllowList(forwardedAllowIps)
        } catch {
            throw ValidationError("--\(error)")
        }
        for (flag, path) in [("--health-path", healthPath), ("--metrics-path", metricsPath)] {
            if let path, !path.hasPrefix("/") { throw ValidationError("\(flag) must be a path beginning with /, not '\(path)'") }
        }
        if let healthPath, healthPath == metricsPath {
            throw ValidationError("--health-path and --metrics-path must differ (both '\(healthPath)')")
        }
        guard UnixSocketPermissions.mode(octal: unixMode) != nil else {
            throw ValidationError("--unix-mode must be octal permission bits such as 660, not '\(unixMode)'")
        }
    }

    func run() throws {
        // Before anything can start a thread, so every thread inherits them
        // blocked: only the stop set up below takes SIGTERM and SIGINT (the
        // event loop, or fork mode's accept loop, unblocks them for itself;
        // otherwise a thread waits for them in sigwait).
        StopSignals.block()
        // Here, not in validate(): each settings-file entry is validated alone.
        try refusingAsASetting(refuseIgnoredFlags)
        let served = ServiceCommand.current.application(named: app)!
        let builtin = try served.make(ServeContext(root: root, accessLog: accessLog, environment: ProcessInfo.processInfo.environment))
        // An application that logs its own requests gets no second log line from the server.
        let serverLogsRequests = accessLog && !served.logsRequests
        var endpoints = ServerEndpoints()
        endpoints.healthPath = healthPath
        if let metricsPath {
            endpoints.metricsPath = metricsPath
            endpoints.metrics = PrometheusMetrics.bootstrap()
        }
        switch backend {
        case .event:
            var configuration = EventServerConfiguration(host: listenHost, port: listenPort)
            configuration.unixPath = unix
            configuration.unixPermissions = UnixSocketPermissions(
                mode: UnixSocketPermissions.mode(octal: unixMode)!, group: unixGroup)
            let inherited = try adoptInheritedSockets(into: &configuration)
            configuration.notifier = SystemdNotifier.takeFromEnvironment()
            let application = try behindProxies(builtin, unixPeers: inherited.isEmpty ? unix != nil : inherited.contains(where: \.isUnix))
            configuration.threads = threads
            configuration.reactors = reactors
            configuration.maxPending = maxPending
            configuration.maxQueueWait = maxQueueWait
            configuration.limits.bodySpoolThreshold = bodySpoolThreshold
            configuration.limits.maxBufferedBodyBytes = maxBufferedBodyBytes
            configuration.limits.maxSpooledBodyBytes = maxSpooledBodyBytes
            configuration.shutdownTimeout = shutdownTimeout
            configuration.accessLog = serverLogsRequests
            if !serverHeader { configuration.serverSoftware = nil }
            configuration.limits.maxConnections = maxConnections
            configuration.limits.requestTimeout = requestTimeout
            configuration.limits.minRequestRate = minRequestRate
            if let keepAliveTimeout { configuration.limits.keepAliveTimeout = keepAliveTimeout }
            if let idleTimeout { configuration.limits.idleTimeout = idleTimeout }
            configuration.limits.maxHeaderBytes = maxHeaderBytes
            configuration.limits.maxBodyBytes = maxBodyBytes
            configuration.endpoints = endpoints
            if processes > 0 {
                let prefork = try Prefork(configuration: configuration, processes: processes, app: application)
                announce(servingLine(prefork.serverAddresses, inherited: inherited))
                try prefork.run()
                return
            }
            ReloadSignal.ignore(logger: configuration.logger, because: "a reload needs --processes N (supervised workers to replace)")
            let server = try EventServer(configuration: configuration, app: application)
            server.stopOnSignals([SIGINT, SIGTERM])
            announce(servingLine(server.serverAddresses, inherited: inherited))
            try server.serveForever()
            server.close()
        case .socket:
            try refusingAsASetting(refuseSocketActivation)
            let application = try behindProxies(builtin, unixPeers: unix != nil)
            var configuration = SocketServerConfiguration(host: listenHost, port: listenPort)
            configuration.unixPath = unix
            configuration.unixPermissions = UnixSocketPermissions(
                mode: UnixSocketPermissions.mode(octal: unixMode)!, group: unixGroup)
            configuration.mode = switch socketMode {
            case .single: .single
            case .threads: .threads(maximum: 256)
            case .fork: .fork(maximum: 64)
            }
            configuration.limits.maxHeaderBytes = maxHeaderBytes
            configuration.limits.maxBodyBytes = maxBodyBytes
            configuration.endpoints = endpoints
            configuration.accessLog = serverLogsRequests
            if !serverHeader { configuration.serverSoftware = nil }
            configuration.shutdownTimeout = shutdownTimeout
            if let keepAliveTimeout { configuration.limits.keepAliveTimeout = keepAliveTimeout }
            if let idleTimeout { configuration.limits.idleTimeout = idleTimeout }
            // The socket backend has no supervisor (--socket-mode fork forks
            // a process per connection, not workers to replace): nothing to reload.
            let why = "a reload needs --backend event --processes N (supervised workers to replace)"
            if socketMode == .fork {
                // Fork mode's process must stay single-threaded (no watcher thread).
                ReloadSignal.ignoreSilently(logger: configuration.logger, because: why)
            } else {
                ReloadSignal.ignore(logger: configuration.logger, because: why)
            }
            guard case .sync(let application) = application else {
                throw ValidationError("--backend socket serves synchronous applications only, for now")
            }
            let server = try SocketServer(configuration: configuration, app: application)
            server.stopOnSignals([SIGINT, SIGTERM])
            announce(servingLine([server.serverAddress], inherited: []))
            try server.serveForever()
            server.close()
        }
    }

    /// Runs a check of settings taken together (here, not in validate(),
    /// where each settings-file entry is checked alone) and reports its
    /// refusal as one of a bad setting is: an "Error:" line, this command's
    /// help to read, status 64. (Thrown on from run(), ArgumentParser would
    /// show the top command's usage instead.)
    private func refusingAsASetting(_ check: () throws -> Void) throws {
        do {
            try check()
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("Error: \(error.message)\nSee '\(ServiceCommand.current.name) help serve'.\n".utf8))
            throw ExitCode.validationFailure
        }
    }

    /// The application behind the forwarding-header rewrite (only when some proxy is trusted).
    private func behindProxies(_ application: AnyApplication, unixPeers: Bool) throws -> AnyApplication {
        let trusted = try ForwardedAllowList(forwardedAllowIps)
        return ProxyHeaders(trusting: trusted, style: forwardedHeaders, peersAreUnix: unixPeers).wrap(application)
    }

    /// Writes the start-up line unbuffered, so a supervisor reading our
    /// stdout through a pipe sees it at once.
    private func announce(_ line: String) {
        var line = line
        line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }
}
