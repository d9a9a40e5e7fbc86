import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// The README's "Linking it into a service" program is Examples/ServiceEvent
/// and, with its import changed, Examples/ServiceSocket: both compile with
/// the package, serve, and stop on SIGTERM (`stopOnSignals` is `GatewayServer`'s).
/// Each is started on port 0 and reports the real port on its first line.
@Suite("Example: linking into a service")
struct ServiceExampleTests {
    @Test(.timeLimit(.minutes(1)), arguments: ["ServiceEvent", "ServiceSocket"])
    func servesAndStopsOnSIGTERM(example: String) throws {
        let (process, port) = try startServing(builtExecutable(example), ["0"])
        defer { stopProcess(process, signal: SIGKILL) }
        #expect(try TestHTTPClient(port: port).get("/?you").text == "Hello, you!\n")
        #expect(stopProcess(process) == 0)
    }

    @Test func theREADMEShowsTheExampleAndTheTwoDifferOnlyInTheirImport() throws {
        let event = try String(contentsOf: packageRoot.appendingPathComponent("Examples/ServiceEvent/main.swift"), encoding: .utf8)
        let socket = try String(contentsOf: packageRoot.appendingPathComponent("Examples/ServiceSocket/main.swift"), encoding: .utf8)
        #expect(socket == event.replacingOccurrences(of: "import GatewayEvent\n", with: "import GatewaySocket\n"))
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + event + "```\n"))
    }
}

/// Examples/HelloEvent and Examples/HelloSocket: one application, either
/// server; each serves one request and exits 0.
@Suite("Examples: one application, either server")
struct HelloExampleTests {
    @Test(.timeLimit(.minutes(1)), arguments: ["HelloEvent", "HelloSocket"])
    func theSameSourceServesOnEitherBackend(example: String) throws {
        let (process, port) = try startServing(builtExecutable(example), ["0"])
        defer { stopProcess(process, signal: SIGKILL) }
        let response = try TestHTTPClient(port: port).get("/?you")
        #expect(response.text == "Hello, you!\n")
        // It exits by itself after the one request.
        try #require(waitUntil(seconds: 10) { !process.isRunning })
        #expect(process.terminationStatus == 0)
    }

    @Test func theExamplesDifferOnlyInTheirImport() throws {
        let event = try String(contentsOf: packageRoot.appendingPathComponent("Examples/HelloEvent/main.swift"), encoding: .utf8)
        let socket = try String(contentsOf: packageRoot.appendingPathComponent("Examples/HelloSocket/main.swift"), encoding: .utf8)
        // Every line the same, in the same number, but the import.
        let eventLines = event.split(separator: "\n", omittingEmptySubsequences: false)
        let socketLines = socket.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(eventLines.count == socketLines.count)
        #expect(eventLines.filter { $0 != "import GatewayEvent" } == socketLines.filter { $0 != "import GatewaySocket" })
        #expect(eventLines.contains("import GatewayEvent") && socketLines.contains("import GatewaySocket"))
    }
}
