import Foundation
import Gateway
import GatewayTesting
import Testing

@Suite("gateway serve")
struct CommandTests {
    /// The built `gateway` executable, beside the test bundle.
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("gateway")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return directory.appendingPathComponent("gateway")
    }

    @Test(.timeLimit(.minutes(1))) func portZeroPrintsTheRealPortAndSIGTERMStopsCleanly() throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--app", "demo"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let line = readLine(from: output.fileHandleForReading)
        let match = line.firstMatch(of: /Serving on http:\/\/127\.0\.0\.1:(\d+)\//)
        let port = try #require(match.flatMap { Int($0.1) })
        #expect(port > 0)

        let response = try TestHTTPClient(port: port).get("/a%20b/c?x=1&y=2")
        #expect(response.text.contains("PATH_INFO = /a b/c"))

        process.terminate()  // SIGTERM
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        try #require(!process.isRunning)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["event", "socket"])
    func limitFlagsReachTheServer(backend: String) throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "0", "--backend", backend, "--no-access-log",
                             "--max-header-bytes", "300", "--max-body-bytes", "10", "--keep-alive-timeout", "0.3"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let line = readLine(from: output.fileHandleForReading)
        let port = try #require(line.firstMatch(of: /:(\d+)\//).flatMap { Int($0.1) })

        let big = try TestHTTPClient(port: port, timeout: 5)
        #expect(try big.get("/", headers: [("X-Big", String(repeating: "b", count: 400))]).status == 431)
        let body = try TestHTTPClient(port: port, timeout: 5)
        #expect(try body.request("POST", "/", body: Array("more than ten bytes".utf8)).status == 413)
        let kept = try TestHTTPClient(port: port, timeout: 5)
        #expect(try kept.get("/").status == 200)
        #expect(kept.isClosedByServer())
    }

    /// Invalid arguments: refused at start, with a non-zero exit.
    @Test(arguments: [["--app", "nope"], ["--max-connections", "0"], ["--request-timeout", "0"]])
    func invalidArgumentsAreRefused(arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardError = Pipe()
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {  // it started serving: the arguments were taken
            process.terminate()
            process.waitUntilExit()
            Issue.record("gateway serve accepted \(arguments)")
            return
        }
        #expect(process.terminationStatus != 0)
    }

    private func readLine(from handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while bytes.last != UInt8(ascii: "\n") {
            let data = handle.readData(ofLength: 1)
            if data.isEmpty { break }
            bytes += data
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite("gateway cgi")
struct CGICommandTests {
    @Test(.timeLimit(.minutes(1))) func runsTheProbeAsACGIProgram() throws {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["cgi", "--app", "probe"]
        process.environment = [
            "REQUEST_METHOD": "POST", "PATH_INFO": "/upload", "CONTENT_LENGTH": "3",
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        ]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("abcEXTRA".utf8))  // only CONTENT_LENGTH bytes are read
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("Status: 200 OK\r\n"))
        #expect(text.contains("Content-Type: application/json\r\n"))
        #expect(text.hasSuffix("{\"length\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}"))
    }
}

@Suite("Examples: one application, either server")
struct ExampleTests {
    @Test(.timeLimit(.minutes(1)), arguments: ["HelloEvent", "HelloSocket"])
    func theSameSourceServesOnEitherBackend(example: String) throws {
        let probe = try ListeningSocket(host: "127.0.0.1", port: 0)
        let port = probe.address.port
        probe.close()
        let process = Process()
        process.executableURL = CommandTests.executable.deletingLastPathComponent().appendingPathComponent(example)
        process.arguments = [String(port)]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var client: TestHTTPClient?
        for _ in 0..<500 where client == nil {
            client = try? TestHTTPClient(port: port)
            if client == nil { usleep(10_000) }
        }
        let response = try #require(client).get("/?you")
        #expect(response.text == "Hello, you!\n")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func theExamplesDifferOnlyInTheirImport() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let event = try String(contentsOf: root.appendingPathComponent("Examples/HelloEvent/main.swift"), encoding: .utf8)
        let socket = try String(contentsOf: root.appendingPathComponent("Examples/HelloSocket/main.swift"), encoding: .utf8)
        let differing = zip(event.split(separator: "\n"), socket.split(separator: "\n")).filter { $0 != $1 }
        #expect(differing.count == 1)
        #expect(differing.first.map { [String($0.0), String($0.1)] } == ["import GatewayEvent", "import GatewaySocket"])
    }
}
