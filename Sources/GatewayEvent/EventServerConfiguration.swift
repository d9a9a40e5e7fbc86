import Gateway
import Logging

/// How an ``EventServer`` listens and behaves. Every field has a default fit
/// for production behind a proxy or on its own.
///
/// ```swift
/// var configuration = EventServerConfiguration(host: "0.0.0.0", port: 8080)
/// configuration.serverSoftware = "MyService/2.1"
/// let server = try EventServer(configuration: configuration, app: app)
/// ```
public struct EventServerConfiguration: Sendable {
    /// The address to bind: a name, an IPv4 or an IPv6 literal.
    public var host: String
    /// The port to bind; 0 lets the kernel choose (see ``EventServer/serverAddress``).
    public var port: Int
    /// The `Server` header sent when the application sets none.
    public var serverSoftware: String = "EventGateway/0.1"
    /// The listen backlog: how many connections may wait to be accepted.
    public var backlog: Int32 = 1024
    /// `wsgi.errors` for every request; application errors are logged here too.
    public var errors: any ErrorOutput = StandardErrorOutput.shared
    /// Where server events are logged.
    public var logger: Logger = Logger(label: "EventGateway")

    public init(host: String = "127.0.0.1", port: Int = 8000) {
        self.host = host
        self.port = port
    }
}
