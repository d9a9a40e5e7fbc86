/// What a ``ServedApplication`` is made from: the settings of `serve` (or
/// `cgi`) that concern the application rather than the server.
public struct ServeContext: Sendable {
    /// `--root`: a folder for the application's files (the current one by default).
    public var root: String
    /// Whether the access log is on (`--access-log`, the default, or
    /// `--no-access-log`); always false under `cgi`, where the web server logs.
    public var accessLog: Bool
    /// The process's environment variables.
    public var environment: [String: String]

    /// A context with these settings.
    public init(root: String = ".", accessLog: Bool = true, environment: [String: String] = [:]) {
        self.root = root
        self.accessLog = accessLog
        self.environment = environment
    }
}
