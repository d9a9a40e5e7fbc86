// The libevent server run by swift-service-lifecycle beside a service's
// other parts: SIGTERM or SIGINT drains it gracefully.
import Gateway
import GatewayEvent
import GatewayServiceLifecycle
import Logging
import ServiceLifecycle

let hello: Application = { environ, startResponse in
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["Hello from a service group!\n"]
}

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let server = try makeServer(host: "127.0.0.1", port: port, app: hello)
let logger = Logger(label: "ServiceLifecycleExample")
let group = ServiceGroup(
    services: [GatewayService(server)],
    gracefulShutdownSignals: [.sigterm, .sigint],
    logger: logger)
print("Serving on \(server.serverAddress.url)")
try await group.run()
