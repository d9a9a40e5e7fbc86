import PostgresNIO
import Testing
@testable import TodoAPI

/// The store against a real PostgreSQL server, a fresh database per test.
@Suite struct TodoStoreTests {
    @Test func addedTodosAreListedInOrderAndFoundById() async throws {
        try await withTestDatabase { database in
            let store = database.store
            #expect(try await store.all() == [])
            let milk = try await store.add(NewTodo(title: "buy milk"))
            let bread = try await store.add(NewTodo(title: "bake bread", completed: true))
            #expect(milk.title == "buy milk" && milk.completed == false)
            #expect(bread.id > milk.id)
            #expect(try await store.all() == [milk, bread])
            #expect(try await store.todo(bread.id) == bread)
            #expect(try await store.todo(bread.id + 1000) == nil)
        }
    }

    @Test func updateChangesOnlyTheNamedFieldsAndReplaceChangesAll() async throws {
        try await withTestDatabase { database in
            let store = database.store
            let todo = try await store.add(NewTodo(title: "write tests"))
            let done = try await store.update(todo.id, TodoChanges(completed: true))
            #expect(done == Todo(id: todo.id, title: "write tests", completed: true))
            let renamed = try await store.update(todo.id, TodoChanges(title: "write more tests"))
            #expect(renamed == Todo(id: todo.id, title: "write more tests", completed: true))
            #expect(try await store.update(todo.id, TodoChanges()) == renamed)
            let replaced = try await store.replace(todo.id, with: NewTodo(title: "rest"))
            #expect(replaced == Todo(id: todo.id, title: "rest", completed: false))
            #expect(try await store.todo(todo.id) == replaced)
            #expect(try await store.update(todo.id + 1, TodoChanges(completed: true)) == nil)
        }
    }

    @Test func removeReportsWhetherThereWasSuchATodo() async throws {
        try await withTestDatabase { database in
            let store = database.store
            let todo = try await store.add(NewTodo(title: "throw away"))
            #expect(try await store.remove(todo.id))
            #expect(try await store.todo(todo.id) == nil)
            #expect(try await !store.remove(todo.id))
            #expect(try await store.all() == [])
        }
    }

    @Test func titlesAreBoundNotSpliced() async throws {
        try await withTestDatabase { database in
            let store = database.store
            let titles = ["Robert'); DROP TABLE todos;--", "$1 \\ \" ' é 日本 🎉", String(repeating: "x", count: maximumTitleLength)]
            for title in titles {
                let todo = try await store.add(NewTodo(title: title))
                #expect(try await store.todo(todo.id)?.title == title)
            }
            #expect(try await store.all().map(\.title) == titles)
        }
    }

    @Test func emptyOrOverlongTitlesAreRefused() async throws {
        try await withTestDatabase { database in
            let store = database.store
            await #expect(throws: TodoValidationError.self) { try await store.add(NewTodo(title: "")) }
            await #expect(throws: TodoValidationError.self) { try await store.add(NewTodo(title: " \t ")) }
            await #expect(throws: TodoValidationError.self) {
                try await store.add(NewTodo(title: String(repeating: "x", count: maximumTitleLength + 1)))
            }
            let todo = try await store.add(NewTodo(title: "kept"))
            await #expect(throws: TodoValidationError.self) { try await store.update(todo.id, TodoChanges(title: "")) }
            #expect(try await store.all() == [todo])
        }
    }

    @Test func creatingTheSchemaAgainKeepsTheRows() async throws {
        try await withTestDatabase { database in
            let todo = try await database.store.add(NewTodo(title: "survives a restart"))
            try await database.store.createSchema()
            #expect(try await database.store.all() == [todo])
        }
    }

    @Test func concurrentAddsGetDistinctIds() async throws {
        try await withTestDatabase(maximumConnections: 8) { database in
            let store = database.store
            let count = 64
            let added = try await withThrowingTaskGroup(of: Todo.self) { group in
                for index in 0..<count {
                    group.addTask { try await store.add(NewTodo(title: "todo \(index)")) }
                }
                return try await group.reduce(into: [Todo]()) { $0.append($1) }
            }
            #expect(Set(added.map(\.id)).count == count)
            let all = try await store.all()
            #expect(all.count == count)
            #expect(Set(all.map(\.title)) == Set((0..<count).map { "todo \($0)" }))
            #expect(all.map(\.id) == all.map(\.id).sorted())
        }
    }

    @Test func aServerThatIsNotThereFailsAtStartWithItsAddress() async throws {
        // Port 1: nothing listens there.
        let settings = serverSettings.with(database: "nowhere")
        var unreachable = settings
        unreachable.host = "127.0.0.1"
        unreachable.port = 1
        let error = await #expect(throws: TodoDatabaseError.self) { try await TodoDatabase.start(unreachable, timeout: .seconds(2)) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("cannot set up the database \(unreachable.description): "), "\(message)")
        #expect(message.contains("connect") || message.contains("refused"), "\(message)")
    }

    @Test func aRefusedLoginFailsAtStart() async throws {
        var wrong = serverSettings
        wrong.password = "not the password"
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: TodoDatabaseError.self) { try await TodoDatabase.start(wrong, timeout: .seconds(20)) }
        #expect(clock.now - started < .seconds(20))
        #expect(error?.description.contains("password authentication failed") == true, "\(error.map(String.init(describing:)) ?? "")")
    }
}

@Suite struct DatabaseSettingsTests {
    @Test func defaultsAreLibpqsOnLoopback() throws {
        let settings = try DatabaseSettings(environment: [:])
        #expect(settings == DatabaseSettings(host: "127.0.0.1", port: 5432, user: "postgres", password: nil, database: "postgres"))
        #expect(settings.configuration.host == "127.0.0.1")
        #expect(settings.configuration.port == 5432)
    }

    @Test func variablesAreRead() throws {
        let settings = try DatabaseSettings(environment: [
            "PGHOST": "db.internal", "PGPORT": "6543", "PGUSER": "todo", "PGPASSWORD": "secret", "PGDATABASE": "todos",
            "PGSSLMODE": "disable",
        ])
        #expect(settings == DatabaseSettings(host: "db.internal", port: 6543, user: "todo", password: "secret",
                                             database: "todos", sslMode: "disable"))
        #expect(settings.configuration.username == "todo")
        #expect(settings.configuration.database == "todos")
        #expect(settings.description == "todo@db.internal:6543/todos")
    }

    @Test func aPathIsAUnixSocketFolder() throws {
        let settings = try DatabaseSettings(environment: ["PGHOST": "/var/run/postgresql", "PGUSER": "todo"])
        #expect(settings.configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(settings.database == "todo")
    }

    @Test func unusableValuesAreNamed() {
        #expect(throws: DatabaseSettingsError.self) { try DatabaseSettings(environment: ["PGPORT": "http"]) }
        #expect(throws: DatabaseSettingsError.self) { try DatabaseSettings(environment: ["PGPORT": "70000"]) }
        #expect(throws: DatabaseSettingsError.self) { try DatabaseSettings(environment: ["PGSSLMODE": "verify-all"]) }
    }
}
