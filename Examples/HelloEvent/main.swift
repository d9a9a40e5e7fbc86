// A complete service on the libevent server. Examples/HelloSocket/main.swift
// is this file with one line changed: the import below.
import GatewayEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

let hello: Application = { environ, startResponse in
    let name = environ["QUERY_STRING"].flatMap { $0.isEmpty ? nil : $0 } ?? "world"
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["Hello, \(name)!\n"]
}

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8000
let server = try makeServer(host: "127.0.0.1", port: port, app: hello)
print("Serving on \(server.serverAddress.url)")
try server.handleRequest()  // one request, then exit: enough for a demo
server.close()
