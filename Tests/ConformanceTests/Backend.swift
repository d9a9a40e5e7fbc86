import Gateway
import GatewayEvent
import GatewayProbe
import GatewayTesting

/// A server of the package, as the conformance suite runs it: every case
/// is written once and runs against each backend listed in `all`.
struct Backend: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable (_ app: @escaping Application, _ errors: CapturedErrors) throws -> any GatewayServer

    var testDescription: String { name }

    static let event = Backend(name: "event") { app, errors in
        var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.errors = errors
        return try EventServer(configuration: configuration, app: app)
    }

    static let all: [Backend] = [.event]

    /// Runs `body` against a fresh server of this backend serving `app`.
    func serve<T>(
        _ app: @escaping Application = probeApp, errors: CapturedErrors = CapturedErrors(),
        _ body: (BackgroundServer) throws -> T
    ) throws -> T {
        let running = BackgroundServer(try make(app, errors))
        defer { running.stop() }
        return try body(running)
    }
}

import Testing
