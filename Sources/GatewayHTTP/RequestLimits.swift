/// What a client may send and how long it may take: the `limits` of both
/// servers' configurations (`EventServerConfiguration`,
/// `SocketServerConfiguration`). Past a size limit the client gets the
/// status named and the connection closes; past a timeout the connection
/// closes without an answer.
///
/// ```swift
/// var configuration = EventServerConfiguration(host: "0.0.0.0", port: 8080)
/// configuration.limits.maxBodyBytes = 1 << 20     // 413 past 1 MiB
/// configuration.limits.keepAliveTimeout = 10
/// ```
///
/// The size limits are the shared parser's, so both servers refuse the
/// same requests with the same status. Where the servers differ:
/// - ``keepAliveTimeout`` and ``idleTimeout``: `SocketServerConfiguration`
///   starts them at 5 s and 30 s instead of 30 s and 60 s, because the
///   socket server spends a thread (or a process) on each open connection;
///   the libevent server only a few KB.
/// - ``requestTimeout``, ``minRequestRate``, ``maxConnections`` and the
///   body budget (``bodySpoolThreshold``, ``maxBufferedBodyBytes``,
///   ``maxSpooledBodyBytes``, ``bodySpoolDirectory``) apply to the libevent
///   server only: it reads a whole request before the application
///   runs, so the server has to bound how long that may take and where the
///   bytes wait. The socket server streams bodies to the application as it
///   reads them and caps connections by its mode
///   (`.threads(maximum:)`, `.fork(maximum:)`).
public struct RequestLimits: Sendable, Equatable {
    /// The request line: method, target and version (414).
    public var maxRequestLine = 8 * 1024
    /// Bytes of header field lines, and again of trailer fields (431).
    public var maxHeaderBytes = 64 * 1024
    /// Header field lines, and again trailer fields (431).
    public var maxHeaderCount = 100
    /// The request body, declared or received (413), refused from a
    /// declared length before any of it is read. The libevent server spools
    /// large bodies to disk (see ``bodySpoolThreshold``), so there this
    /// bounds disk use per request, not memory.
    public var maxBodyBytes = 64 * 1024 * 1024
    /// Seconds a kept-alive connection may wait for its next request
    /// (the socket server's configuration starts it at 5).
    public var keepAliveTimeout: Double = 30
    /// Seconds without progress either way after which a connection is
    /// dropped: a client that stops reading a response or stops sending a
    /// request (the socket server's configuration starts it at 30). On the
    /// libevent server it also caps ``requestTimeout`` and ``keepAliveTimeout``.
    public var idleTimeout: Double = 60

    // The libevent server only (see above).

    /// Bodies up to this size are held in memory while
    /// ``maxBufferedBodyBytes`` has room; larger ones, and chunked ones past
    /// it, are spooled to an unlinked temporary file as they arrive and
    /// `wsgi.input` reads them from there. 64 KiB: most form posts and API
    /// calls stay in memory; uploads go to disk (waitress: 512 KiB, nginx:
    /// 8–16 KiB). The libevent server only.
    public var bodySpoolThreshold = 64 * 1024
    /// Memory for request bodies, all connections and reactors of the
    /// process together. A body that would overflow it is spooled instead,
    /// whatever its size: memory for bodies stays under this whatever
    /// clients send. 32 MiB: 512 bodies at the threshold. The libevent server only.
    public var maxBufferedBodyBytes = 32 * 1024 * 1024
    /// Disk for spooled bodies, the process's together: a body whose
    /// declared length does not fit is answered 503 with `Retry-After`
    /// before any of it is read (a chunked one when it outgrows the room).
    /// 1 GiB: sixteen uploads of the largest size at once. The libevent server only.
    public var maxSpooledBodyBytes = 1 << 30
    /// Where spooled bodies go (each file is unlinked as soon as it is
    /// made). The libevent server only.
    public var bodySpoolDirectory = "/tmp"
    /// Connections open at once, all loops together; past it the server
    /// stops accepting (clients wait in the listen backlog) until one
    /// closes. The libevent server only.
    public var maxConnections = 20_000
    /// Seconds a whole request (head and body) may take to arrive, from its
    /// first byte, or from the accept for a new connection. Against clients
    /// that trickle bytes to hold a connection (slowloris). The libevent server only.
    public var requestTimeout: Double = 20
    /// Bytes per second that extend ``requestTimeout`` (one second per this
    /// many bytes received), so large uploads at a fair pace pass; 0 makes
    /// ``requestTimeout`` a fixed deadline. 16 KiB/s (128 kbit/s, below any
    /// uplink that could send a large body): a client trickling a 64 MiB
    /// body holds its connection and spool for at most ~70 min. The libevent server only.
    public var minRequestRate = 16 * 1024

    /// The defaults above.
    public init() {}

    /// The size limits in the shared parser's terms.
    package var parserLimits: RequestParser.Limits {
        var limits = RequestParser.Limits()
        limits.maxRequestLine = maxRequestLine
        limits.maxHeaderBytes = maxHeaderBytes
        limits.maxHeaderCount = maxHeaderCount
        limits.maxBodyBytes = maxBodyBytes
        return limits
    }
}
