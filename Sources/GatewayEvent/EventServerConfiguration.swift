import Gateway
import GatewayHTTP
import Logging
@_exported import struct GatewayHTTP.RequestLimits
@_exported import struct GatewayHTTP.UnixSocketPermissions

/// How an ``EventServer`` listens and behaves. Every field has a default fit
/// for production behind a proxy or on its own.
///
/// ```swift
/// var configuration = EventServerConfiguration(host: "0.0.0.0", port: 8080)
/// configuration.threads = 8            // blocking app code runs on 8 workers
/// configuration.limits.maxBodyBytes = 1 << 20
/// let server = try EventServer(configuration: configuration, app: app)
/// ```
public struct EventServerConfiguration: Sendable {
    /// The address to bind: a name, an IPv4 or an IPv6 literal.
    public var host: String
    /// The port to bind; 0 lets the kernel choose (see ``EventServer/serverAddress``).
    public var port: Int
    /// A unix-domain socket path to listen on instead of host and port.
    public var unixPath: String?
    /// Who may connect to ``unixPath``: by default anyone (mode 0666), so a
    /// proxy running as another user can, as with gunicorn and uvicorn.
    public var unixPermissions = UnixSocketPermissions()
    /// Sockets bound already, e.g. by systemd (`InheritedSockets`): served
    /// instead of binding ``host``/``port``/``unixPath``, and never unlinked.
    /// The server (or ``Prefork``) takes the descriptors over: give them to one.
    package var listeners: [ListeningSocket] = []
    /// Where readiness (`READY=1`) and draining (`STOPPING=1`) are reported;
    /// `gateway serve` sets it from `NOTIFY_SOCKET`.
    package var notifier: SystemdNotifier?
    /// Worker threads for the application; 0 runs it on the loop thread
    /// (inline: fastest, for applications that never block).
    public var threads = 0
    /// Requests that may wait for a free worker (with ``threads`` > 0); past
    /// it a request is answered `503 Service Unavailable` with `Retry-After`
    /// at once instead of waiting in an ever longer queue.
    public var maxPending = 1024
    /// Seconds the oldest waiting request may have waited before new ones
    /// are refused with 503 (with ``threads`` > 0): a burst of quick
    /// requests queues, a queue that stopped moving is refused early. A
    /// value that is not positive is taken as the default.
    public var maxQueueWait = 1.0
    /// Event loops, each on its own thread with its own listener, sharing the
    /// listening socket.
    public var reactors = 1
    /// The server is one of several processes serving the same socket
    /// (`wsgi.multiprocess`); ``Prefork`` sets it.
    public var multiprocess = false
    /// The `Server` header sent when the application sets none (nil: none,
    /// which saves a header line of every response).
    public var serverSoftware: String? = "EventGateway/0.1"
    /// The listen backlog: how many connections may wait to be accepted.
    public var backlog: Int32 = 1024
    /// What a client may send, and how long it may take (the same type as
    /// the socket server's, with the defaults for this server).
    public var limits = RequestLimits()
    /// Seconds a graceful shutdown waits for responses under way.
    public var shutdownTimeout: Double = 10
    /// Write an access log line (Common Log Format) per response to stderr.
    public var accessLog = false
    /// `wsgi.errors` for every request; application errors are logged here too.
    public var errors: any ErrorOutput = StandardErrorOutput.shared
    /// Where server events are logged.
    public var logger: Logger = Logger(label: "EventGateway")
    /// Dimensions (labels, in Prometheus's words) added to every metric this
    /// server reports through swift-metrics, to tell apart several servers of
    /// one process: `[("server", "admin")]`.
    public var metricsDimensions: [(String, String)] = []
    /// Paths the server answers itself (health check, metrics), never
    /// reaching the application; none by default.
    public var endpoints = ServerEndpoints()

    /// A configuration for `host` and `port` with every other setting at its default.
    ///
    /// ```swift
    /// var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    /// configuration.threads = 4                 // a worker pool for blocking apps
    /// configuration.limits.maxBodyBytes = 1 << 20
    /// let server = try EventServer(configuration: configuration, app: app)
    /// ```
    public init(host: String = "127.0.0.1", port: Int = 8000) {
        self.host = host
        self.port = port
    }
}
