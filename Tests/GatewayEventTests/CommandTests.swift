import Foundation
import Gateway
import GatewayHTTP
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

/// `gateway cgi` under a real CGI server: Python's `http.server --cgi`,
/// which hands the client's socket to the script as its standard input.
@Suite("gateway cgi under http.server")
struct CGIUnderARealServerTests {
    @Test(.timeLimit(.minutes(1))) func getPostAndStreamThroughPythonsCGIServer() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("python3 is not installed")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eventgateway-cgi-\(getpid())")
        let bin = root.appendingPathComponent("cgi-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let script = bin.appendingPathComponent("probe")
        try "#!/bin/sh\nexec '\(CommandTests.executable.path)' cgi --app probe\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-u", "-m", "http.server", "--cgi", "--bind", "127.0.0.1", "0"]
        server.currentDirectoryURL = root
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let banner = readLine(from: output.fileHandleForReading)
        let port = try #require(banner.firstMatch(of: /port (\d+)/).flatMap { Int($0.1) }, "\(banner)")

        // GET without a body: the script must not wait for one (it used to hang here).
        let get = try TestHTTPClient(port: port, timeout: 10)
        try get.send("GET /cgi-bin/probe/environ?x=1 HTTP/1.0\r\n\r\n")
        let environ = String(decoding: try get.readToEnd(), as: UTF8.self)
        #expect(environ.hasPrefix("HTTP/1.0 200"), "\(environ.prefix(200))")
        #expect(environ.contains("\"PATH_INFO\": \"/environ\""))
        #expect(environ.contains("\"QUERY_STRING\": \"x=1\""))
        #expect(environ.contains("\"body_length\": 0"))

        let post = try TestHTTPClient(port: port, timeout: 10)
        try post.send("POST /cgi-bin/probe/upload HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc")
        let upload = String(decoding: try post.readToEnd(), as: UTF8.self)
        #expect(upload.contains("{\"length\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}"), "\(upload.prefix(300))")

        let stream = try TestHTTPClient(port: port, timeout: 10)
        try stream.send("GET /cgi-bin/probe/stream?chunks=3&size=10 HTTP/1.0\r\n\r\n")
        let streamed = String(decoding: try stream.readToEnd(), as: UTF8.self)
        #expect(streamed.hasSuffix("\r\n\r\n" + String(repeating: "x", count: 30)), "\(streamed.suffix(100))")
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
        // Every line the same, in the same number, but the import.
        let eventLines = event.split(separator: "\n", omittingEmptySubsequences: false)
        let socketLines = socket.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(eventLines.count == socketLines.count)
        #expect(eventLines.filter { $0 != "import GatewayEvent" } == socketLines.filter { $0 != "import GatewaySocket" })
        #expect(eventLines.contains("import GatewayEvent") && socketLines.contains("import GatewaySocket"))
    }
}

/// One line from `handle`, read a byte at a time (so nothing past it is taken).
func readLine(from handle: FileHandle) -> String {
    var bytes: [UInt8] = []
    while bytes.last != UInt8(ascii: "\n") {
        let data = handle.readData(ofLength: 1)
        if data.isEmpty { break }
        bytes += data
    }
    return String(decoding: bytes, as: UTF8.self)
}
