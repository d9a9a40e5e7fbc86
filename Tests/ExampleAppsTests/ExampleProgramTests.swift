import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// The README's service template ("Your own service") is Examples/ServiceEvent
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

    /// Under a pipe (systemd's journal, `| tee`), the address shows while
    /// the program runs, not at its exit: run without `stdbuf` here.
    @Test(.timeLimit(.minutes(1)), arguments: ["ServiceEvent", "ServiceSocket"])
    func printsItsAddressAtOnceIntoAPipe(example: String) throws {
        let process = Process()
        process.executableURL = builtExecutable(example)
        process.arguments = ["0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { stopProcess(process, signal: SIGKILL) }
        let line = Locked("")
        let reader = Thread { line.withLock { $0 = readLine(from: output.fileHandleForReading) } }
        reader.start()
        #expect(waitUntil(seconds: 10) { line.withLock { $0.hasPrefix("Serving on http://127.0.0.1:") } })
        #expect(stopProcess(process) == 0)
    }

    /// A port in use: one line on stderr and exit 1, no crash, no backtrace.
    @Test(.timeLimit(.minutes(1)), arguments: ["ServiceEvent", "ServiceSocket"])
    func aBusyPortIsOneLineAndExit1(example: String) throws {
        let (first, port) = try startServing(builtExecutable(example), ["0"])
        defer { stopProcess(first, signal: SIGKILL) }
        let second = Process()
        second.executableURL = builtExecutable(example)
        second.arguments = [String(port)]
        let output = Pipe(), errors = Pipe()
        second.standardOutput = output
        second.standardError = errors
        try second.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        #expect(second.terminationReason == .exit)
        #expect(String(decoding: stderr, as: UTF8.self) == "MyService: cannot listen on 127.0.0.1:\(port): Address already in use\n")
        #expect(output.fileHandleForReading.readDataToEndOfFile().isEmpty)
        #expect(stopProcess(first) == 0)
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
