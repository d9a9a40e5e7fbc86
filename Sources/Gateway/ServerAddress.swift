/// A listening address: host and port.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host as bound: an IP address, a name, or a unix socket's path.
    public var host: String
    /// The port (0 for a unix-domain socket).
    public var port: Int

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `http://host:port/`, with IPv6 hosts in brackets.
    public var url: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(port)/"
    }

    /// The ``url``.
    public var description: String { url }
}
