import Gateway

/// One application a ``ServiceCommand`` serves, under the name
/// `--app NAME` chooses it by.
///
/// ```swift
/// ServedApplication("hello", helloApp)
/// // made once the flags are read, from --root and --access-log:
/// ServedApplication("files", logsRequests: true) { context in
///     staticApp(root: context.root, logRequests: context.accessLog)
/// }
/// ```
public struct ServedApplication: Sendable {
    /// What `--app` calls it.
    public var name: String
    /// The application writes its own access log (middleware): the
    /// server's is then left off, so each request is logged once.
    public var logsRequests: Bool
    /// Makes the application, once, before the server starts (and before
    /// prefork forks its workers); an error stops the start with its message.
    public var make: @Sendable (ServeContext) throws -> Application

    /// An application ready as it is.
    public init(_ name: String, _ application: @escaping Application) {
        self.init(name, make: { _ in application })
    }

    /// An application made from the command's settings.
    public init(_ name: String, logsRequests: Bool = false, make: @escaping @Sendable (ServeContext) throws -> Application) {
        self.name = name
        self.logsRequests = logsRequests
        self.make = make
    }
}
