import Gateway
import GatewayCommand
import TodoAPI

// `todo-service serve`: every flag, settings file and GATEWAY_* variable of
// `gateway serve`, for this service's one application. The database is
// reached and its schema created at start, from the PG* variables (an
// unreachable server stops the start with its address); the PostgreSQL
// client then runs for the life of the process.
ServiceCommand(name: "todo-service", version: "1.0.0", abstract: "A JSON todo API on PostgreSQL (EventGateway example).",
               applications: [
    ServedApplication("todos", makeAny: { context in
        let database = try TodoDatabase.startWaiting(try DatabaseSettings(environment: context.environment))
        return .async(todoApp(store: database.store))
    }),
]).main()
