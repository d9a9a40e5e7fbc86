import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("gateway serve")
struct CommandTests {
    /// On the release build, the program users run, in each server's modes
    /// (#20: SIGTERM once ended the socket server, exit status 143).
    @Test(.timeLimit(.minutes(1)), arguments: [
        [], ["--backend", "socket"], ["--backend", "socket", "--socket-mode", "single"], ["--backend", "socket", "--socket-mode", "fork"],
    ])
    func portZeroPrintsTheRealPortAndSIGTERMStopsCleanly(flags: [String]) throws {
        let server = try GatewayProcess(["--app", "demo"] + flags, executable: releaseGatewayExecutable())
        #expect(server.startLine.wholeMatch(of: /Serving on http:\/\/127\.0\.0\.1:\d+\/\n/) != nil, "\(server.startLine)")
        #expect(server.port > 0)

        let response = try TestHTTPClient(port: server.port).get("/a%20b/c?x=1&y=2")
        #expect(response.text.contains("PATH_INFO = /a b/c"))

        try #require(server.stop(with: SIGTERM), "still running 10 s after SIGTERM")
        #expect(server.process.terminationReason == .exit, "ended by the signal (status \(server.process.terminationStatus))")
        #expect(server.process.terminationStatus == 0)
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["event", "socket"])
    func limitFlagsReachTheServer(backend: String) throws {
        let server = try GatewayProcess(["--backend", backend, "--no-access-log",
                                         "--max-header-bytes", "300", "--max-body-bytes", "10", "--keep-alive-timeout", "0.3"])
        defer { server.stop() }
        let big = try TestHTTPClient(port: server.port, timeout: 5)
        #expect(try big.get("/", headers: [("X-Big", String(repeating: "b", count: 400))]).status == 431)
        let body = try TestHTTPClient(port: server.port, timeout: 5)
        #expect(try body.request("POST", "/", body: Array("more than ten bytes".utf8)).status == 413)
        let kept = try TestHTTPClient(port: server.port, timeout: 5)
        #expect(try kept.get("/").status == 200)
        #expect(kept.isClosedByServer())
    }

    /// Without supervised workers there is nothing to reload: SIGHUP (what
    /// systemd's ExecReload sends) is logged and ignored on either backend,
    /// in every socket mode, and the server goes on serving; SIGTERM then
    /// stops it cleanly. On the release build.
    @Test(.timeLimit(.minutes(1)), arguments: [
        ["--backend", "event"],
        ["--backend", "event", "--threads", "2", "--reactors", "2"],
        ["--backend", "socket"],
        ["--backend", "socket", "--socket-mode", "single"],
        ["--backend", "socket", "--socket-mode", "fork"],
    ])
    func sighupWithoutWorkersIsIgnored(flags: [String]) throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"] + flags, executable: releaseGatewayExecutable())
        defer { server.stop() }
        // Fork mode's process stays single-threaded, so no thread logs each
        // SIGHUP: it says once, at the start, that it will ignore them.
        let logsEach = !flags.contains("fork")
        #expect(try TestHTTPClient(port: server.port, timeout: 5).get("/hello").status == 200)
        if !logsEach { #expect(server.stderr.contains("SIGHUP will be ignored"), "\(server.stderr)") }
        kill(server.processIdentifier, SIGHUP)
        if logsEach { #expect(waitUntil(seconds: 5) { server.stderr.contains("SIGHUP ignored") }, "\(server.stderr)") }
        #expect(server.process.isRunning)
        #expect(try TestHTTPClient(port: server.port, timeout: 5).get("/hello").text == "Hello, World!")
        kill(server.processIdentifier, SIGHUP)
        if logsEach {
            #expect(waitUntil(seconds: 5) { server.stderr.components(separatedBy: "SIGHUP ignored").count == 3 }, "\(server.stderr)")
        }
        #expect(try TestHTTPClient(port: server.port, timeout: 5).get("/hello").status == 200)
        #expect(server.process.isRunning)
        #expect(server.stop(), "SIGTERM still stops it")
        #expect(server.process.terminationReason == .exit, "ended by the signal (status \(server.process.terminationStatus))")
        #expect(server.process.terminationStatus == 0)
    }

    /// Invalid arguments: refused at start, with a non-zero exit.
    @Test(arguments: [["--app", "nope"], ["--max-connections", "0"], ["--request-timeout", "0"]])
    func invalidArgumentsAreRefused(arguments: [String]) throws {
        let (status, _) = try GatewayProcess.refusal(["--port", "0"] + arguments)
        // nil: still serving after ten seconds, so the arguments were taken.
        #expect(status.map { $0 != 0 } == true, "gateway serve \(arguments): exit status \(String(describing: status))")
    }
}

@Suite("gateway cgi")
struct CGICommandTests {
    @Test(.timeLimit(.minutes(1))) func runsTheProbeAsACGIProgram() throws {
        let process = Process()
        process.executableURL = gatewayExecutable
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

/// `gateway cgi` takes every application `gateway serve` takes (it took
/// only demo and probe), `--root` included.
@Suite("gateway cgi --app NAME")
struct CGIApplicationTests {
    @Test func theSameApplicationsAsServe() throws {
        // Help is wrapped at 80 columns: compare it with its spaces and line breaks collapsed.
        func help(_ command: String) throws -> String {
            try runProgram(gatewayExecutable, ["help", command]).output.replacing(/\s+/, with: " ")
        }
        let serve = try help("serve"), cgi = try help("cgi")
        let appLine = /--app <app> The application: ([^.]+)\./
        let served = try #require(serve.firstMatch(of: appLine)?.1)
        #expect(served == "demo, probe, hello, count, static, upload, api, stack")
        #expect(cgi.firstMatch(of: appLine)?.1 == served, "\(cgi)")
    }

    @Test func theExamplesRunAsCGIPrograms() throws {
        let root = try makeTemporaryFolder("cgi-static")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/a.txt", Array("file a\n".utf8))
        let environment = ["REQUEST_METHOD": "GET", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "QUERY_STRING": "cgi"]
        let hello = try runProgram(gatewayExecutable, ["cgi", "--app", "hello"], environment: environment.merging(["PATH_INFO": "/"]) { $1 })
        #expect(hello.status == 0)
        #expect(hello.output == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\n\r\nHello, cgi!\n", "\(hello)")
        let file = try runProgram(gatewayExecutable, ["cgi", "--app", "static", "--root", root],
                                  environment: environment.merging(["PATH_INFO": "/a.txt"]) { $1 })
        #expect(file.status == 0)
        #expect(file.output.hasPrefix("Status: 200 OK\r\n"), "\(file)")
        #expect(file.output.hasSuffix("\r\n\r\nfile a\n"), "\(file)")
        // The web server logs CGI requests: the example's own access log stays off.
        #expect(file.errors == "", "\(file.errors)")
    }
}

/// `gateway cgi` under a real CGI server: Python's `http.server --cgi`,
/// which hands the client's socket to the script as its standard input.
@Suite("gateway cgi under http.server")
struct CGIUnderARealServerTests {
    @Test(.timeLimit(.minutes(1))) func getPostAndStreamThroughPythonsCGIServer() throws {
        guard let python = python3 else {
            Issue.record("python3 is not installed")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eventgateway-cgi-\(getpid())")
        let bin = root.appendingPathComponent("cgi-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let script = bin.appendingPathComponent("probe")
        try "#!/bin/sh\nexec '\(gatewayExecutable.path)' cgi --app probe\n".write(to: script, atomically: true, encoding: .utf8)
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
