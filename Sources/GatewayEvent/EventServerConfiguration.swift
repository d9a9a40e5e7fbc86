import Gateway
import GatewayHTTP
import Logging

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
    public var listeners: [ListeningSocket] = []
    /// Where readiness (`READY=1`) and draining (`STOPPING=1`) are reported;
    /// `gateway serve` sets it from `NOTIFY_SOCKET`.
    public var notifier: SystemdNotifier?
    /// Worker threads for the application; 0 runs it on the loop thread
    /// (inline: fastest, for applications that never block).
    public var threads = 0
    /// Requests that may wait for a free worker (with ``threads`` > 0); past
    /// it a request is answered `503 Service Unavailable` with `Retry-After`
    /// at once instead of waiting in an ever longer queue (nil: 4 × ``threads``).
    public var maxPending: Int?
    /// Event loops, each on its own thread with its own evhttp, sharing the
    /// listening socket.
    public var reactors = 1
    /// The server is one of several processes serving the same socket
    /// (`wsgi.multiprocess`); ``Prefork`` sets it.
    public var multiprocess = false
    /// The `Server` header sent when the application sets none.
    public var serverSoftware: String = "EventGateway/0.1"
    /// The listen backlog: how many connections may wait to be accepted.
    public var backlog: Int32 = 1024
    /// What a client may send, and how long it may take.
    public var limits = Limits()
    /// Seconds a graceful shutdown waits for responses under way.
    public var shutdownTimeout: Double = 10
    /// Write an access log line (Common Log Format) per response to stderr.
    public var accessLog = false
    /// `wsgi.errors` for every request; application errors are logged here too.
    public var errors: any ErrorOutput = StandardErrorOutput.shared
    /// Where server events are logged.
    public var logger: Logger = Logger(label: "EventGateway")

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

    /// What a client may send and how long it may take; past a limit the
    /// client gets a 4xx and the connection closes, past a timeout the
    /// connection closes.
    public struct Limits: Sendable {
        /// Request line and headers together (431).
        public var maxHeaderBytes = 64 * 1024
        /// The request body (413), checked against the declared length before
        /// any of it is read. Large bodies go to disk (see ``bodySpoolThreshold``),
        /// so this bounds disk use per request, not memory.
        public var maxBodyBytes = 64 * 1024 * 1024
        /// Bodies up to this size are held in memory (evhttp's buffer) while
        /// ``maxBufferedBodyBytes`` has room; larger ones, and chunked ones past
        /// it, are spooled to an unlinked temporary file as they arrive and
        /// `wsgi.input` reads them from there. 64 KiB: most form posts and
        /// API calls stay in memory; uploads go to disk (waitress: 512 KiB,
        /// nginx: 8–16 KiB).
        public var bodySpoolThreshold = 64 * 1024
        /// Memory for request bodies, all connections and reactors of the
        /// process together. A body that would overflow it is spooled
        /// instead, whatever its size: memory for bodies stays under this
        /// whatever clients send. 32 MiB: 512 bodies at the threshold.
        public var maxBufferedBodyBytes = 32 * 1024 * 1024
        /// Disk for spooled bodies, the process's together: a body whose
        /// declared length does not fit is answered 503 with `Retry-After`
        /// before any of it is read (a chunked one when it outgrows the room).
        /// 1 GiB: sixteen uploads of the largest size at once.
        public var maxSpooledBodyBytes = 1 << 30
        /// Where spooled bodies go (each file is unlinked as soon as it is made).
        public var bodySpoolDirectory = "/tmp"
        /// The request target (414).
        public var maxURILength = 8 * 1024
        /// Connections open at once, all loops together; past it the server
        /// stops accepting (clients wait in the listen backlog) until one closes.
        public var maxConnections = 20_000
        /// Seconds a whole request (head and body) may take to arrive, from
        /// its first byte, or from the accept for a new connection. Against
        /// clients that trickle bytes to hold a connection (slowloris).
        public var requestTimeout: Double = 20
        /// Bytes per second that extend ``requestTimeout`` (one second per
        /// this many bytes received), so large uploads at a fair pace pass;
        /// 0 makes ``requestTimeout`` a fixed deadline. 16 KiB/s (128 kbit/s,
        /// below any uplink that could send a large body): a client trickling
        /// a 64 MiB body holds its connection and spool for at most ~70 min.
        public var minRequestRate = 16 * 1024
        /// Seconds a kept-alive connection may wait for its next request.
        public var keepAliveTimeout: Double = 30
        /// Seconds without progress either way after which a connection is
        /// dropped: a client that stops reading a response or stops sending
        /// a request. Also caps the two timeouts above.
        public var idleTimeout: Double = 60

        /// The defaults listed on each limit.
        public init() {}
    }
}

extension EventServerConfiguration.Limits {
    /// The same limits in the shared parser's terms (header lines: its default, 100).
    var parserLimits: RequestParser.Limits {
        var limits = RequestParser.Limits()
        limits.maxRequestLine = maxURILength
        limits.maxHeaderBytes = maxHeaderBytes
        limits.maxBodyBytes = maxBodyBytes
        return limits
    }
}
