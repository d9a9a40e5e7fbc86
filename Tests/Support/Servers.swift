import Foundation
import Gateway
import GatewayEvent
import GatewaySocket
import GatewayTesting

/// The two servers a test runs the same case on.
package enum ServerKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case event, socket
    package var description: String { rawValue }
}

/// Starts `kind`'s server through its `makeServer` on 127.0.0.1, port 0,
/// runs `body` with a client, stops the server.
package func withServer<T>(
    _ kind: ServerKind, app: @escaping Application, _ body: (BackgroundServer, TestHTTPClient) throws -> T
) throws -> T {
    let server: any GatewayServer = switch kind {
    case .event: try GatewayEvent.makeServer(host: "127.0.0.1", port: 0, app: app)
    case .socket: try GatewaySocket.makeServer(host: "127.0.0.1", port: 0, app: app)
    }
    let running = BackgroundServer(server)
    defer { running.stop() }
    let client = try TestHTTPClient(port: running.port, timeout: 5)
    defer { client.close() }
    return try body(running, client)
}

extension TestResponse {
    /// The body's `key=value` lines as a dictionary (for apps that answer
    /// with their environ that way).
    package var environ: [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }
}
