// Sources/MyService/main.swift
import Gateway
import GatewaySocket
#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
do {
    let server = try makeServer(host: "127.0.0.1", port: port, app: hello)
    server.stopOnSignals([SIGINT, SIGTERM])
    print("Serving on \(server.serverAddress.url)")
    fflush(nil)  // into a pipe or the journal, stdio would hold the line until exit
    try server.serveForever()
    server.close()
} catch {
    // One line and exit 1 (a busy port, say), not a crash with a backtrace.
    StandardErrorOutput.shared.write("MyService: \(error)\n")
    exit(1)
}
