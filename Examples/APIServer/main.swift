// A JSON REST API over an in-memory store: GET/POST /items, GET/PUT/DELETE /items/{id}.
// swift run APIServer [PORT]   (also: gateway serve --app api)
import ExampleApps
import Gateway
import GatewayEvent
#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8000
let server = try makeServer(host: "127.0.0.1", port: port, app: itemsAPI())
server.stopOnSignals([SIGINT, SIGTERM])
print("Serving on \(server.serverAddress.url)")
try server.serveForever()
server.close()
