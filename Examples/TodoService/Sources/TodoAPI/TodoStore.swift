import PostgresNIO

/// The todos in PostgreSQL, over a `PostgresClient` (whose `run()` must be
/// going on in a task of its own: ``TodoDatabase`` does that). Every query
/// sends its values as bindings (`\(value)` in a `PostgresQuery` is a `$n`
/// parameter, never text in the SQL).
public struct TodoStore: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// The `todos` table, created if it is not there (at start; idempotent).
    public static let schema: PostgresQuery = """
            CREATE TABLE IF NOT EXISTS todos (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                title TEXT NOT NULL,
                completed BOOLEAN NOT NULL DEFAULT FALSE
            )
            """

    /// Creates the `todos` table if it is not there.
    public func createSchema() async throws {
        try await client.query(Self.schema)
    }

    /// Every todo, oldest first.
    public func all() async throws -> [Todo] {
        try await todos(client.query("SELECT id, title, completed FROM todos ORDER BY id"))
    }

    public func todo(_ id: Int) async throws -> Todo? {
        try await todos(client.query("SELECT id, title, completed FROM todos WHERE id = \(id)")).first
    }

    public func add(_ new: NewTodo) async throws -> Todo {
        try validate(title: new.title)
        let rows = try await client.query("""
            INSERT INTO todos (title, completed) VALUES (\(new.title), \(new.completed))
            RETURNING id, title, completed
            """)
        guard let todo = try await todos(rows).first else { throw PostgresStoreError.noRowReturned }
        return todo
    }

    /// Changes the fields `changes` names; nil when there is no such todo.
    public func update(_ id: Int, _ changes: TodoChanges) async throws -> Todo? {
        try validate(title: changes.title)
        return try await todos(client.query("""
            UPDATE todos SET title = COALESCE(\(changes.title), title),
                             completed = COALESCE(\(changes.completed), completed)
            WHERE id = \(id)
            RETURNING id, title, completed
            """)).first
    }

    /// Replaces the todo's fields; nil when there is no such todo.
    public func replace(_ id: Int, with new: NewTodo) async throws -> Todo? {
        try await update(id, TodoChanges(title: new.title, completed: new.completed))
    }

    /// Whether there was such a todo.
    public func remove(_ id: Int) async throws -> Bool {
        try await !todos(client.query("DELETE FROM todos WHERE id = \(id) RETURNING id, title, completed")).isEmpty
    }

    private func todos(_ rows: PostgresRowSequence) async throws -> [Todo] {
        var todos: [Todo] = []
        for try await (id, title, completed) in rows.decode((Int, String, Bool).self) {
            todos.append(Todo(id: id, title: title, completed: completed))
        }
        return todos
    }
}

enum PostgresStoreError: Error {
    case noRowReturned
}
