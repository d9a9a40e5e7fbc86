import Gateway
import GatewayMiddleware
import PostgresNIO

/// The todo API, an async application (EventGateway's `AsyncApplication`):
/// each request awaits its query on the PostgreSQL client without holding
/// a thread, and its body is read as it arrives.
///
/// | request | answer |
/// | --- | --- |
/// | `GET /todos` | 200, every todo, oldest first |
/// | `POST /todos` `{"title": "buy milk"}` | 201, the todo with its id; `Location: /todos/1` |
/// | `GET /todos/1` | 200, the todo; 404 when there is none |
/// | `PATCH /todos/1` `{"completed": true}` | 200, the todo with the fields given changed |
/// | `PUT /todos/1` `{"title": "buy oat milk", "completed": false}` | 200, the todo replaced |
/// | `DELETE /todos/1` | 204 |
///
/// HEAD is answered as GET (the server sends no body); another method on a
/// known path is 405 with `Allow`; an unknown path or id is 404. A body
/// that is not `application/json` is 415, over 64 KiB 413, not JSON 400,
/// JSON of the wrong shape or an empty or overlong title 422. A database
/// that cannot be reached is 503, a query it refuses 500 (the detail goes to
/// `wsgi.errors`, not to the client).
/// Every error's body is `{"error": "..."}`.
public func todoApp(store: TodoStore) -> AsyncApplication {
    { environ, startResponse in
        do {
            return try await respond(environ, startResponse, store)
        } catch let error as any HTTPError {
            return try startResponse.json(["error": error.message], status: status(error.status),
                                          headers: (error as? MethodNotAllowed).map { [("Allow", $0.allow)] } ?? [])
        } catch let error as TodoValidationError {
            return try startResponse.json(["error": error.message], status: .unprocessableContent)
        } catch let failure as DatabaseFailure {
            // A query PostgreSQL refused is this program's fault (500);
            // anything else (no connection, a closed pool) is 503.
            environ.errors.write("todo-service: \(environ.requestLine): \(String(reflecting: failure.error))\n")
            if let error = failure.error as? PSQLError, error.code == .server {
                return try startResponse.json(["error": "the database refused the query"], status: .internalServerError)
            }
            return try startResponse.json(["error": "the database is unavailable"], status: .serviceUnavailable)
        }
        // Anything else (the body's transport: a client gone, a stalled
        // upload) is the server's to answer or to cut.
    }
}

private func status(_ code: Int) -> ResponseStatus {
    ResponseStatus(code: code, reason: ResponseStatus.reasonPhrase(for: code))
}

/// The paths the API has.
enum TodoRoute: Equatable {
    case collection
    case item(String)

    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].isEmpty, parts[1] == "todos" else { return nil }
        switch parts.count {
        case 2: self = .collection
        case 3 where !parts[2].isEmpty: self = .item(String(parts[2]))
        default: return nil
        }
    }

    var allow: String {
        switch self {
        case .collection: "GET, HEAD, POST"
        case .item: "GET, HEAD, PUT, PATCH, DELETE"
        }
    }
}

private func respond(_ environ: Environ, _ startResponse: StartResponse, _ store: TodoStore) async throws -> any ResponseBody {
    guard let route = TodoRoute(path: environ["PATH_INFO"] ?? "/") else { throw NotFound("no such path") }
    let method = environ["REQUEST_METHOD"] ?? "GET"
    switch (route, method) {
    case (.collection, "GET"), (.collection, "HEAD"):
        return try startResponse.json(try await database { try await store.all() })
    case (.collection, "POST"):
        let new = try await environ.decodeJSONBody(NewTodo.self)
        let todo = try await database { try await store.add(new) }
        let location = (environ["SCRIPT_NAME"] ?? "") + "/todos/\(todo.id)"
        return try startResponse.json(todo, status: .created, headers: [("Location", location)])
    case (.item(let text), "GET"), (.item(let text), "HEAD"):
        let id = try todoID(text)
        guard let todo = try await database({ try await store.todo(id) }) else { throw NotFound("no such todo") }
        return try startResponse.json(todo)
    case (.item(let text), "PATCH"):
        let id = try todoID(text)
        let changes = try await environ.decodeJSONBody(TodoChanges.self)
        guard let todo = try await database({ try await store.update(id, changes) }) else { throw NotFound("no such todo") }
        return try startResponse.json(todo)
    case (.item(let text), "PUT"):
        let id = try todoID(text)
        let todo = try await environ.decodeJSONBody(NewTodo.self)
        guard let replaced = try await database({ try await store.replace(id, with: todo) }) else { throw NotFound("no such todo") }
        return try startResponse.json(replaced)
    case (.item(let text), "DELETE"):
        let id = try todoID(text)
        guard try await database({ try await store.remove(id) }) else { throw NotFound("no such todo") }
        try startResponse(.noContent, [])
        return [[UInt8]]()
    default:
        throw MethodNotAllowed(allow: route.allow)
    }
}

/// A failure of the store's, told from the request's own (its body's transport).
struct DatabaseFailure: Error {
    var error: any Error
}

/// Runs a store call; its errors but validation and cancellation become ``DatabaseFailure``.
private func database<Value>(_ call: () async throws -> Value) async throws -> Value {
    do {
        return try await call()
    } catch let error as TodoValidationError {
        throw error
    } catch let error as CancellationError {
        throw error
    } catch {
        throw DatabaseFailure(error: error)
    }
}

/// An id as the path spells it: a positive decimal number, else there is no such todo.
private func todoID(_ text: String) throws -> Int {
    guard let id = Int(text), id > 0, String(id) == text else { throw NotFound("no such todo") }
    return id
}

struct NotFound: HTTPError {
    var message: String
    init(_ message: String) { self.message = message }
    var status: Int { 404 }
}

struct MethodNotAllowed: HTTPError {
    var allow: String
    var status: Int { 405 }
    var message: String { "method not allowed: use \(allow)" }
}
