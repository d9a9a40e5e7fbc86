import Foundation
import Gateway
import GatewayHTTP
import GatewayTesting
import Testing

/// `gateway serve` started as systemd starts it: `systemd-socket-activate`
/// binds the socket and passes it (LISTEN_FDS), a notify socket collects
/// READY/RELOADING/STOPPING. Like systemd, `systemd-socket-activate`
/// starts the service on the first connection, so each test connects first.
@Suite("systemd socket activation")
struct SocketActivationTests {
    static let activate = ["/usr/bin/systemd-socket-activate", "/bin/systemd-socket-activate"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A free loopback port (bound, read, released).
    static func freePort() throws -> Int {
        let probe = try ListeningSocket(host: "127.0.0.1", port: 0)
        defer { probe.close() }
        return probe.address.port
    }

    /// `systemd-socket-activate -l LISTEN... -E NOTIFY_SOCKET=... gateway serve ARGS`.
    static func start(listen: String..., names: String? = nil, notify: NotifySocket, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: activate!)
        process.arguments = listen.flatMap { ["-l", $0] } + (names.map { ["--fdname", $0] } ?? [])
            + ["-E", "NOTIFY_SOCKET=\(notify.path)", CommandTests.executable.path,
                             "serve", "--app", "probe", "--no-access-log"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The processes whose parent is `pid` (the prefork workers), from /proc.
    static func children(of pid: Int32) -> Set<Int32> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var found: Set<Int32> = []
        for entry in entries {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            // After "(comm)": state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { found.insert(child) }
        }
        return found
    }

    /// Connects once systemd-socket-activate listens (it binds after it starts).
    static func connect(port: Int) throws -> TestHTTPClient {
        for _ in 0..<500 {
            if let client = try? TestHTTPClient(port: port) { return client }
            usleep(10_000)
        }
        return try TestHTTPClient(port: port)
    }

    static func stop(_ process: Process) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)), arguments: [[], ["--threads", "2"], ["--processes", "2"]])
    func servesTheInheritedSocketAndReportsReadyThenStopping(mode: [String]) throws {
        let notify = try NotifySocket()
        let port = try Self.freePort()
        let process = try Self.start(listen: "127.0.0.1:\(port)", notify: notify, mode)
        defer { _ = Self.stop(process) }

        let response = try Self.connect(port: port).get("/hello")  // starts gateway
        #expect(notify.receive() == "READY=1")
        #expect(response.status == 200)
        #expect(response.text == "Hello, World!")
        let environ = try TestHTTPClient(port: port).get("/environ")
        #expect(environ.text.contains("\"SERVER_PORT\": \"\(port)\""))

        #expect(Self.stop(process) == 0)
        #expect(notify.receive() == "STOPPING=1")
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func preforkReloadsOnSIGHUPAndKeepsServing() throws {
        let notify = try NotifySocket()
        let port = try Self.freePort()
        let process = try Self.start(listen: "127.0.0.1:\(port)", notify: notify, ["--processes", "2"])
        defer { _ = Self.stop(process) }
        #expect(try Self.connect(port: port).get("/hello").status == 200)
        #expect(notify.receive() == "READY=1")

        let before = Self.children(of: process.processIdentifier)
        #expect(before.count == 2)
        kill(process.processIdentifier, SIGHUP)
        #expect(notify.receive() == "RELOADING=1")
        #expect(notify.receive() == "READY=1")
        // Once the old workers have drained and exited, two new ones serve.
        // (A connection an old worker accepted just before its SIGTERM may be
        // closed unanswered: the drain closes connections without a request.)
        #expect(waitUntil(seconds: 15) {
            let now = Self.children(of: process.processIdentifier)
            return now.count == 2 && now.isDisjoint(with: before)
        })
        #expect(try TestHTTPClient(port: port).get("/hello").status == 200)
        #expect(Self.stop(process) == 0)
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func anInheritedUnixSocketIsServedAndNeverUnlinked() throws {
        let notify = try NotifySocket()
        let path = "/tmp/eventgateway-activated-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let process = try Self.start(listen: path, notify: notify, [])
        defer { _ = Self.stop(process) }
        // The file appears when systemd-socket-activate binds it.
        #expect(waitUntil(seconds: 10) { FileManager.default.fileExists(atPath: path) })
        #expect(try TestHTTPClient(unixPath: path).get("/hello").text == "Hello, World!")
        #expect(notify.receive() == "READY=1")
        #expect(Self.stop(process) == 0)
        #expect(FileManager.default.fileExists(atPath: path), "the socket file is systemd's, not ours to remove")
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func theSocketBackendRefusesAnInheritedSocket() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.activate!)
        let port = try Self.freePort()
        process.arguments = ["-l", "127.0.0.1:\(port)", CommandTests.executable.path, "serve", "--backend", "socket"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { _ = Self.stop(process) }
        let client = try Self.connect(port: port)  // starts gateway
        #expect(client.isClosedByServer())
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(Self.stop(process) != 0)
        #expect(text.contains("socket activation needs --backend event"))
    }

    /// `Accept=yes` passes connected sockets, not a listener: refused, saying why.
    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func aConnectedSocketIsRefusedAsNotListening() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.activate!)
        let port = try Self.freePort()
        process.arguments = ["--accept", "-l", "127.0.0.1:\(port)", CommandTests.executable.path, "serve"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // With --accept the activator stays, spawning a child per connection; it is ours to end.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let client = try Self.connect(port: port)  // spawns gateway with the connection as fd 3
        #expect(client.isClosedByServer())
        var text = ""
        for _ in 0..<500 where !text.contains("\n") || !text.contains("not listening") {
            text += String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(text.contains("descriptor 3 (unknown) is not listening (use ListenStream= without Accept=yes)"), "\(text)")
    }

    /// A socket unit with a TCP and a unix `ListenStream=`: both are served,
    /// each with its own SERVER_NAME/SERVER_PORT, in every mode.
    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)), arguments: [[], ["--processes", "2"]])
    func servesEverySocketPassed(mode: [String]) throws {
        let notify = try NotifySocket()
        let port = try Self.freePort()
        let path = "/tmp/eventgateway-activated-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let process = try Self.start(listen: "127.0.0.1:\(port)", path, names: "web:local", notify: notify, mode)
        defer { _ = Self.stop(process) }
        let overTCP = try Self.connect(port: port).get("/environ")
        #expect(notify.receive() == "READY=1")
        #expect(overTCP.text.contains("\"SERVER_PORT\": \"\(port)\""))
        let overUnix = try TestHTTPClient(unixPath: path).get("/environ")
        #expect(overUnix.status == 200)
        #expect(overUnix.text.contains("\"SERVER_NAME\": \"\(path)\""))
        #expect(Self.stop(process) == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    /// `LISTEN_*` meant for another process (a parent's) are not ours: gateway binds its own socket.
    @Test(.timeLimit(.minutes(1))) func socketsForAnotherProcessAreLeftAlone() throws {
        let (process, port) = try ConfigFileTests.serve(
            ["--host", "127.0.0.1", "--port", "0", "--app", "probe"],
            environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "elsewhere"])
        defer { process.terminate(); process.waitUntilExit() }
        #expect(try TestHTTPClient(port: port).get("/hello").text == "Hello, World!")
    }
}
