import Foundation
import PostgresNIO
import TodoAPI

/// The server the tests use: the `PG*` variables (check.sh exports those of
/// the cluster it starts). There is no fallback to a mock: without a server
/// the tests fail, saying where they looked.
let serverSettings: DatabaseSettings = {
    do {
        return try DatabaseSettings(environment: ProcessInfo.processInfo.environment)
    } catch {
        fatalError("TodoAPITests: \(error)")
    }
}()

/// Runs `body` with a database of its own on the test server: created
/// empty (`CREATE DATABASE todo_test_...`), the service's schema made in it
/// by `TodoDatabase.start` as at the service's start, and dropped afterwards
/// whatever `body` did.
func withTestDatabase<Result: Sendable>(
    maximumConnections: Int = 20,
    _ body: (TodoDatabase) async throws -> Result
) async throws -> Result {
    let admin = PostgresClient(configuration: serverSettings.configuration)
    let adminRun = Task { await admin.run() }
    defer { adminRun.cancel() }
    // The name is made here of letters, digits and underscores only: an
    // identifier cannot be a bound parameter, and this one needs no quoting.
    let name = "todo_test_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
    do {
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
    } catch {
        throw TestDatabaseError(message: "cannot create a test database on \(serverSettings.description) "
            + "(set PG* to a server where this role may CREATEDB; check.sh starts one): \(String(reflecting: error))")
    }
    func drop() async {
        _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }
    let database: TodoDatabase
    do {
        database = try await TodoDatabase.start(serverSettings.with(database: name), maximumConnections: maximumConnections)
    } catch {
        await drop()
        throw error
    }
    do {
        let result = try await body(database)
        await database.stop()
        await drop()
        return result
    } catch {
        await database.stop()
        await drop()
        throw error
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
