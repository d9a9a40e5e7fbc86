import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import TodoAPI

/// The todo app on EventGateway's libevent server, on 127.0.0.1 and a port
/// of the system's choosing, over a fresh test database; stopped afterwards.
/// Requests go over real sockets (`TestHTTPClient`), each from a thread of
/// its own: a blocking client must never hold one of the few threads of
/// Swift's cooperative pool, on which the app's tasks run.
func withTodoServer<Result: Sendable>(
    maximumConnections: Int = 20,
    _ body: (TodoServer) async throws -> Result
) async throws -> Result {
    try await withTestDatabase(maximumConnections: maximumConnections) { database in
        try await withServer(app: todoApp(store: database.store), body)
    }
}

/// Serves `app` as `withTodoServer` does, with whatever store it was made with.
func withServer<Result: Sendable>(app: @escaping AsyncApplication, _ body: (TodoServer) async throws -> Result) async throws -> Result {
    let background = BackgroundServer(try makeServer(host: "127.0.0.1", port: 0, app: app))
    let server = TodoServer(port: background.port)
    do {
        let result = try await body(server)
        try await onThread { _ = background.stop() }
        return result
    } catch {
        try await onThread { _ = background.stop() }
        throw error
    }
}

struct TodoServer: Sendable {
    let port: Int

    /// One request on a connection of its own; `json` is sent as `application/json`.
    func request(_ method: String, _ target: String, json: String? = nil,
                 headers: [(String, String)] = []) async throws -> TestResponse {
        let port = port
        var headers = headers
        if json != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/json"))
        }
        let sent = headers
        return try await onThread {
            let client = try TestHTTPClient(port: port, timeout: 30)
            defer { client.close() }
            return try client.request(method, target, headers: sent + [("Connection", "close")], body: Array((json ?? "").utf8))
        }
    }

    /// A request written as raw bytes (chunked bodies, say); the response read for `method`.
    func raw(_ bytes: String, method: String = "GET") async throws -> TestResponse {
        let port = port
        return try await onThread {
            let client = try TestHTTPClient(port: port, timeout: 30)
            defer { client.close() }
            try client.send(bytes)
            return try client.readResponse(method: method)
        }
    }
}

/// Runs blocking work on a new thread and awaits its outcome.
func onThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}

extension TestResponse {
    var todo: Todo? { try? decode(Todo.self) }
    var todos: [Todo]? { try? decode([Todo].self) }
    var error: String? { (try? decode([String: String].self))?["error"] }
}
