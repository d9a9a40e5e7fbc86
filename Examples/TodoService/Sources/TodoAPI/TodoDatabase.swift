import Foundation
import PostgresNIO

/// A `PostgresClient` with its `run()` going on in a background task, and
/// the schema created: what the service holds for its lifetime.
///
/// ```swift
/// let database = try await TodoDatabase.start(settings)
/// let app = todoApp(store: database.store)
/// ...
/// await database.stop()
/// ```
public final class TodoDatabase: Sendable {
    public let client: PostgresClient
    public let store: TodoStore
    private let running: Task<Void, Never>

    private init(client: PostgresClient) {
        self.client = client
        self.store = TodoStore(client: client)
        running = Task { await client.run() }
    }

    /// Creates the schema (`CREATE TABLE IF NOT EXISTS`) over a connection
    /// of its own, then starts the client: an unreachable server or a
    /// refused login fails here, at start, with PostgreSQL's own message
    /// (the client's pool would retry it quietly at every request).
    public static func start(_ settings: DatabaseSettings, maximumConnections: Int = 20,
                             timeout: Duration = .seconds(10)) async throws -> TodoDatabase {
        do {
            var logger = Logger(label: "todo-service.database")
            logger.logLevel = .error
            let connection = try await PostgresConnection.connect(
                configuration: settings.connectionConfiguration(connectTimeout: timeout), id: 0, logger: logger)
            do {
                try await connection.query(TodoStore.schema, logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw TodoDatabaseError(settings: settings, underlying: error)
        }
        var configuration = settings.configuration
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = timeout
        return TodoDatabase(client: PostgresClient(configuration: configuration))
    }

    /// Closes the client's connections (cancels its `run()`) and waits for it.
    public func stop() async {
        running.cancel()
        await running.value
    }
}

/// The database could not be reached or set up at start.
public struct TodoDatabaseError: Error, CustomStringConvertible, Sendable {
    public var settings: DatabaseSettings
    public var underlying: any Error

    public var description: String {
        return "cannot set up the database \(settings.description): \(describe(underlying))"
    }
}

extension TodoDatabase {
    /// ``start(_:maximumConnections:)`` for synchronous code that starts the
    /// service (a `ServedApplication`'s `make`, on the main thread): blocks
    /// the calling thread until the database is set up. Never call it on a
    /// thread of Swift's cooperative pool, which the start needs.
    public static func startWaiting(_ settings: DatabaseSettings, maximumConnections: Int = 20,
                                    timeout: Duration = .seconds(10)) throws -> TodoDatabase {
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        Task {
            do {
                outcome.set(.success(try await start(settings, maximumConnections: maximumConnections, timeout: timeout)))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }
}

private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: Result<TodoDatabase, any Error>?

    func set(_ value: Result<TodoDatabase, any Error>) { lock.withLock { outcome = value } }
    func get() throws -> TodoDatabase { try lock.withLock { outcome! }.get() }
}

/// PostgreSQL's own message for an error it sent (a refused login, a
/// database that is not there), else the whole error.
func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return String(describing: underlying) }
    }
    return String(reflecting: error)
}
