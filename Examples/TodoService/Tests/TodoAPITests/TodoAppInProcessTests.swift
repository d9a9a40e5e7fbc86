import GatewayTesting
import Testing
@testable import TodoAPI

/// The same app in-process, through `TestClient` (no socket; the servers'
/// response rules), against the real database: what only a caller inside the
/// process can set, such as a mount prefix.
@Suite struct TodoAppInProcessTests {
    @Test func createUpdateAndDeleteThroughTestClient() async throws {
        try await withTestDatabase { database in
            let client = TestClient(todoApp(store: database.store))
            let created = try await client.post("/todos", body: .json(NewTodo(title: "in process")))
            #expect(created.status == 201)
            let todo = try #require(created.todo)
            #expect(created.header("Location") == "/todos/\(todo.id)")
            let patched = try await client.request("PATCH", "/todos/\(todo.id)", body: .json(TodoChanges(completed: true)))
            #expect(patched.todo == Todo(id: todo.id, title: "in process", completed: true))
            #expect(try await client.get("/todos").todos == [patched.todo!])
            #expect(try await client.delete("/todos/\(todo.id)").status == 204)
            #expect(try await client.get("/todos/\(todo.id)").status == 404)
        }
    }

    @Test func aBodyInSmallPiecesIsReadAsItComes() async throws {
        try await withTestDatabase { database in
            let client = TestClient(todoApp(store: database.store))
            let json = Array(#"{"title": "one byte at a time", "completed": true}"#.utf8)
            let response = try await client.post("/todos", body: .chunks(json.map { [$0] }, contentType: "application/json"))
            #expect(response.status == 201)
            #expect(response.todo?.title == "one byte at a time")
            #expect(response.todo?.completed == true)
        }
    }

    @Test func theLocationKeepsTheMountPrefix() async throws {
        try await withTestDatabase { database in
            let client = TestClient(todoApp(store: database.store), environ: ["SCRIPT_NAME": "/api"])
            let created = try await client.post("/todos", body: .json(NewTodo(title: "mounted")))
            #expect(created.header("Location") == "/api/todos/\(created.todo?.id ?? 0)")
        }
    }
}
