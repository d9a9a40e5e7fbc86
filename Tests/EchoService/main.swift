import Gateway
import GatewayCommand

// A service made with GatewayCommand, as a service author would write it,
// for the tests of the library (GatewayCommandTests/ServiceCommandTests).
ServiceCommand(
    name: "echo-service", version: "2.5.0-test",
    abstract: "Echoes the path (a test service made with GatewayCommand).",
    applications: [
        ServedApplication("echo") { environ, startResponse in
            try startResponse("200 OK", [("Content-Type", "text/plain")])
            return ["echo: \(environ["PATH_INFO"] ?? "")"]
        },
        // What the command made the application from.
        ServedApplication("settings") { context in
            let text = "root=\(context.root) access-log=\(context.accessLog) ECHO_GREETING=\(context.environment["ECHO_GREETING"] ?? "-")"
            return { _, startResponse in
                try startResponse("200 OK", [("Content-Type", "text/plain")])
                return [text]
            }
        },
    ]
).main()
