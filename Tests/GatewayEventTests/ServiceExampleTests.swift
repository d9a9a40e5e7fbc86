import Foundation
import Gateway
import GatewayTesting
import Testing

/// The README's "Linking it into a service" program is Examples/ServiceEvent
/// and, with its import changed, Examples/ServiceSocket: both compile with
/// the package, serve, and stop on SIGTERM (`stopOnSignals` is a `GatewayServer` requirement).
@Suite("Example: linking into a service")
struct ServiceExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(1)), arguments: ["ServiceEvent", "ServiceSocket"])
    func servesAndStopsOnSIGTERM(example: String) throws {
        let port = try SocketActivationTests.freePort()
        let process = Process()
        process.executableURL = CommandTests.executable.deletingLastPathComponent().appendingPathComponent(example)
        process.arguments = [String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        #expect(try SocketActivationTests.connect(port: port).get("/?you").text == "Hello, you!\n")
        #expect(SocketActivationTests.stop(process) == 0)
    }

    @Test func theREADMEShowsTheExampleAndTheTwoDifferOnlyInTheirImport() throws {
        let event = try String(contentsOf: Self.root.appendingPathComponent("Examples/ServiceEvent/main.swift"), encoding: .utf8)
        let socket = try String(contentsOf: Self.root.appendingPathComponent("Examples/ServiceSocket/main.swift"), encoding: .utf8)
        #expect(socket == event.replacingOccurrences(of: "import GatewayEvent\n", with: "import GatewaySocket\n"))
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + event + "```\n"))
    }
}
