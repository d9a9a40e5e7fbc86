import Gateway
import GatewayHTTP
import Logging
@_exported import struct GatewayHTTP.RequestLimits
@_exported import struct GatewayHTTP.UnixSocketPermissions

/// How a ``SocketServer`` listens and serves.
///
/// ```swift
/// var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
/// configuration.mode = .threads(maximum: 64)
/// let server = try SocketServer(configuration: configuration, app: app)
/// ```
public struct SocketServerConfiguration: Sendable {
    /// How connections are served, like Python's socketserver mixins.
    public enum Mode: Sendable, Equatable {
        /// One connection at a time on the serving thread (wsgiref's default).
        case single
        /// A thread per connection, at most `maximum` at once (ThreadingMixIn).
        case threads(maximum: Int)
        /// A forked process per connection, at most `maximum` at once (ForkingMixIn).
        ///
        /// As with any `fork()` without `exec`, the host process should have
        /// no other busy threads: a child inherits every open descriptor
        /// (another component's connections stay open while it lives) and
        /// can block forever on a lock another thread held at the fork.
        /// `gateway serve --backend socket --socket-mode fork` is such a
        /// process; a test runner or a service with thread pools is not.
        case fork(maximum: Int)
    }

    /// The address to bind: a name, an IPv4 or an IPv6 literal.
    public var host: String
    /// The port to bind; 0 lets the kernel choose (see ``SocketServer/serverAddress``).
    public var port: Int
    /// A unix-domain socket path to listen on instead of host and port.
    public var unixPath: String?
    /// Who may connect to ``unixPath``: by default anyone (mode 0666), so a
    /// proxy running as another user can.
    public var unixPermissions = UnixSocketPermissions()
    /// How connections are served: one at a time (the default), a thread each, or a process each.
    public var mode: Mode = .single
    /// The `Server` header sent when the application sets none (nil: none).
    public var serverSoftware: String? = "EventGateway-Socket/0.1"
    /// The listen backlog: connections the kernel holds before the server accepts them.
    public var backlog: Int32 = 1024
    /// What a client may send and how long it may take: the same type as
    /// the libevent server's, with shorter waits (`RequestLimits/keepAliveTimeout`
    /// 5 s, `RequestLimits/idleTimeout` 30 s: each open connection holds
    /// a thread or a process here). Its libevent-only fields are ignored.
    public var limits: RequestLimits
    /// Seconds a closing stop (``SocketServer/stopOnSignals(_:)`` or
    /// ``SocketServer/close()``) lets connections finish the request under
    /// way (idle kept-alive ones close at once) before cutting them; 0 cuts
    /// them at once. `gateway serve` uses its `--shutdown-timeout` (10 s).
    public var shutdownTimeout: Double = 0
    /// Write an access log line (Common Log Format) per response to stderr.
    public var accessLog = false
    /// `wsgi.errors` for every request; application errors are logged here too.
    public var errors: any ErrorOutput = StandardErrorOutput.shared
    /// Where server events are logged: refused requests, a stop's deadline,
    /// accept and fork failures (as the libevent server logs them).
    public var logger: Logger = Logger(label: "EventGateway")
    /// Paths the server answers itself (health check, metrics), never
    /// reaching the application; none by default.
    public var endpoints = ServerEndpoints()

    /// A configuration for `host:port` (port 0 lets the kernel choose).
    public init(host: String = "127.0.0.1", port: Int = 8000) {
        self.host = host
        self.port = port
        limits = RequestLimits()
        limits.keepAliveTimeout = 5
        limits.idleTimeout = 30
    }
}
