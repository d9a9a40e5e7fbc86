import Gateway

/// One application a ``ServiceCommand`` serves, under the name
/// `--app NAME` chooses it by: synchronous, async, or a choice between
/// them per request (``AnyApplication``).
///
/// ```swift
/// ServedApplication("hello", helloApp)
/// ServedApplication("todos", async: todosApp)
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
    public var make: @Sendable (ServeContext) throws -> AnyApplication

    /// An application ready as it is.
    public init(_ name: String, _ application: @escaping Application) {
        self.init(name, .sync(application))
    }

    /// An async application ready as it is.
    public init(_ name: String, async application: @escaping AsyncApplication) {
        self.init(name, .async(application))
    }

    /// A sync or async application, or a choice per request, ready as it is.
    public init(_ name: String, _ application: AnyApplication) {
        self.init(name, logsRequests: false, makeAny: { _ in application })
    }

    /// An application made from the command's settings.
    public init(_ name: String, logsRequests: Bool = false, make: @escaping @Sendable (ServeContext) throws -> Application) {
        self.init(name, logsRequests: logsRequests, makeAny: { .sync(try make($0)) })
    }

    /// An application of any kind made from the command's settings.
    ///
    /// ```swift
    /// ServedApplication("todos") { context in
    ///     .async(try TodoAPI(environment: context.environment).app)
    /// }
    /// ```
    public init(_ name: String, logsRequests: Bool = false, makeAny make: @escaping @Sendable (ServeContext) throws -> AnyApplication) {
        self.name = name
        self.logsRequests = logsRequests
        self.make = make
    }
}
