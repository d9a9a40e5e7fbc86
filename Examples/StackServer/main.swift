// Everything in one process: /api, /static (from DIR), /echo, /admin (Basic
// authentication, STACK_ADMIN=user:password), with request id, access log,
// error catcher and gzip.
// STACK_ADMIN=admin:secret swift run StackServer [DIR] [PORT]   (also: gateway serve --app stack --root DIR)
import ExampleApps
import Foundation
import Gateway
import GatewayEvent

let root = CommandLine.arguments.dropFirst().first ?? "."
let port = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 8000
let app = stackApp(root: root, adminCredentials: ProcessInfo.processInfo.environment["STACK_ADMIN"])
let server = try makeServer(host: "127.0.0.1", port: port, app: app)
server.stopOnSignals([SIGINT, SIGTERM])
print("Serving on \(server.serverAddress.url)")
try server.serveForever()
server.close()
