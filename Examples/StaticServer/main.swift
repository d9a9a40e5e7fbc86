// Serves a folder with the static-files middleware, gzip and an access log:
// swift run StaticServer [DIR] [PORT]   (also: gateway serve --app static --root DIR)
import ExampleApps
import Gateway
import GatewayEvent
#if canImport(Glibc)
import Glibc
#endif

let root = CommandLine.arguments.dropFirst().first ?? "."
let port = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 8000
let server = try makeServer(host: "127.0.0.1", port: port, app: staticApp(root: root))
server.stopOnSignals([SIGINT, SIGTERM])
print("Serving \(root) on \(server.serverAddress.url)")
try server.serveForever()
server.close()
