// A form with a file field: GET shows it, POST answers with each field and,
// for files, name, size and SHA-256.
// swift run UploadServer [PORT]   (also: gateway serve --app upload)
import ExampleApps
import Gateway
import GatewayEvent
#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8000
let server = try makeServer(host: "127.0.0.1", port: port, app: uploadApp())
server.stopOnSignals([SIGINT, SIGTERM])
print("Serving on \(server.serverAddress.url)")
try server.serveForever()
server.close()
