import GatewayTesting
import PostgresNIO
import Testing
@testable import TodoAPI

/// The API over HTTP: the async app on the libevent server, PostgreSQL behind it.
@Suite struct TodoAppTests {
    @Test func createListGetUpdateDelete() async throws {
        try await withTodoServer { server in
            let empty = try await server.request("GET", "/todos")
            #expect(empty.status == 200)
            #expect(empty.header("Content-Type") == "application/json")
            #expect(empty.todos == [])

            let created = try await server.request("POST", "/todos", json: #"{"title": "buy milk"}"#)
            #expect(created.status == 201)
            let todo = try #require(created.todo)
            #expect(todo.title == "buy milk" && !todo.completed)
            #expect(created.header("Location") == "/todos/\(todo.id)")

            let fetched = try await server.request("GET", "/todos/\(todo.id)")
            #expect(fetched.status == 200 && fetched.todo == todo)
            let second = try #require(try await server.request("POST", "/todos", json: #"{"title": "bake", "completed": true}"#).todo)
            #expect(try await server.request("GET", "/todos").todos == [todo, second])

            let patched = try await server.request("PATCH", "/todos/\(todo.id)", json: #"{"completed": true}"#)
            #expect(patched.status == 200)
            #expect(patched.todo == Todo(id: todo.id, title: "buy milk", completed: true))
            let put = try await server.request("PUT", "/todos/\(todo.id)", json: #"{"title": "buy oat milk"}"#)
            #expect(put.status == 200)
            #expect(put.todo == Todo(id: todo.id, title: "buy oat milk", completed: false))
            #expect(try await server.request("GET", "/todos/\(todo.id)").todo == put.todo)

            let deleted = try await server.request("DELETE", "/todos/\(todo.id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(try await server.request("GET", "/todos/\(todo.id)").status == 404)
            #expect(try await server.request("GET", "/todos").todos == [second])
        }
    }

    @Test func unknownIdsAndPathsAre404WithAJSONError() async throws {
        try await withTodoServer { server in
            for (method, target, json) in [
                ("GET", "/todos/12345", nil), ("PATCH", "/todos/12345", #"{"completed": true}"#),
                ("PUT", "/todos/12345", #"{"title": "x"}"#), ("DELETE", "/todos/12345", nil),
                ("GET", "/todos/abc", nil), ("GET", "/todos/-1", nil), ("GET", "/todos/007", nil),
                ("GET", "/todos/99999999999999999999", nil), ("GET", "/", nil), ("GET", "/todos/1/done", nil),
                ("GET", "/todo", nil),
            ] as [(String, String, String?)] {
                let response = try await server.request(method, target, json: json)
                #expect(response.status == 404, "\(method) \(target)")
                #expect(response.header("Content-Type") == "application/json")
                #expect(response.error != nil, "\(method) \(target): \(response.text)")
            }
        }
    }

    @Test func badBodiesAreRefusedAndNothingIsStored() async throws {
        try await withTodoServer { server in
            let notJSON = try await server.request("POST", "/todos", json: #"{"title": "#)
            #expect(notJSON.status == 400)
            #expect(notJSON.error == "malformed JSON body: not valid JSON")
            let wrongType = try await server.request("POST", "/todos", json: #"{"title": 5}"#)
            #expect(wrongType.status == 422)
            #expect(wrongType.error == "field 'title' must be a string")
            let missing = try await server.request("POST", "/todos", json: #"{"completed": true}"#)
            #expect(missing.status == 422)
            #expect(missing.error == "missing field 'title'")
            let empty = try await server.request("POST", "/todos", json: #"{"title": "  "}"#)
            #expect(empty.status == 422)
            #expect(empty.error == "field 'title' must not be empty")
            let array = try await server.request("POST", "/todos", json: "[]")
            #expect(array.status == 422)
            let form = try await server.request("POST", "/todos", json: "title=x",
                                                headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(form.status == 415)
            let large = try await server.request("POST", "/todos", json: #"{"title": ""# + String(repeating: "x", count: 70_000) + #""}"#)
            #expect(large.status == 413)
            #expect(large.error != nil)
            #expect(try await server.request("GET", "/todos").todos == [])

            let todo = try #require(try await server.request("POST", "/todos", json: #"{"title": "kept"}"#).todo)
            let badPatch = try await server.request("PATCH", "/todos/\(todo.id)", json: #"{"completed": "yes"}"#)
            #expect(badPatch.status == 422)
            #expect(badPatch.error == "field 'completed' must be true or false")
            let badPut = try await server.request("PUT", "/todos/\(todo.id)", json: "nope")
            #expect(badPut.status == 400)
            #expect(try await server.request("GET", "/todos").todos == [todo])
        }
    }

    @Test func wrongMethodsAre405WithAllow() async throws {
        try await withTodoServer { server in
            let onCollection = try await server.request("DELETE", "/todos")
            #expect(onCollection.status == 405)
            #expect(onCollection.header("Allow") == "GET, HEAD, POST")
            #expect(onCollection.error != nil)
            let onItem = try await server.request("POST", "/todos/1", json: "{}")
            #expect(onItem.status == 405)
            #expect(onItem.header("Allow") == "GET, HEAD, PUT, PATCH, DELETE")
        }
    }

    @Test func headIsAnsweredAsGetWithoutABody() async throws {
        try await withTodoServer { server in
            _ = try await server.request("POST", "/todos", json: #"{"title": "one"}"#)
            let get = try await server.request("GET", "/todos")
            let head = try await server.request("HEAD", "/todos")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(get.body.count))
        }
    }

    @Test func aChunkedBodyIsReadAsItArrives() async throws {
        try await withTodoServer { server in
            let json = #"{"title": "sent in chunks"}"#
            let first = json.prefix(10), rest = json.dropFirst(10)
            let request = "POST /todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n"
                + String(rest.utf8.count, radix: 16) + "\r\n" + rest + "\r\n0\r\n\r\n"
            let response = try await server.raw(request, method: "POST")
            #expect(response.status == 201)
            #expect(response.todo?.title == "sent in chunks")
        }
    }

    @Test func concurrentCreatesOverHTTPGetDistinctIds() async throws {
        try await withTodoServer(maximumConnections: 8) { server in
            let count = 48
            let created = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<count {
                    group.addTask { try await server.request("POST", "/todos", json: #"{"title": "todo \#(index)"}"#) }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(created.allSatisfy { $0.status == 201 })
            let ids = created.compactMap { $0.todo?.id }
            #expect(Set(ids).count == count)
            #expect(Set(created.compactMap { $0.header("Location") }) == Set(ids.map { "/todos/\($0)" }))
            let all = try #require(try await server.request("GET", "/todos").todos)
            #expect(all.count == count)
            #expect(Set(all.map(\.title)) == Set((0..<count).map { "todo \($0)" }))
        }
    }

    @Test func aDatabaseThatIsGoneIs503() async throws {
        // A client whose pool is shut down (its run() cancelled): every query fails at once.
        let client = PostgresClient(configuration: serverSettings.configuration)
        let running = Task { await client.run() }
        running.cancel()
        await running.value
        try await withServer(app: todoApp(store: TodoStore(client: client))) { server in
            let response = try await server.request("GET", "/todos")
            #expect(response.status == 503)
            #expect(response.error == "the database is unavailable")
        }
    }
}

@Suite struct TodoRouteTests {
    @Test func paths() {
        #expect(TodoRoute(path: "/todos") == .collection)
        #expect(TodoRoute(path: "/todos/3") == .item("3"))
        #expect(TodoRoute(path: "/todos/") == nil)
        #expect(TodoRoute(path: "/todos/3/") == nil)
        #expect(TodoRoute(path: "/todosx") == nil)
        #expect(TodoRoute(path: "") == nil)
    }
}
