import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// `gateway serve` started as systemd starts it: with its listening sockets
/// inherited (`LISTEN_FDS`, `LISTEN_FDNAMES`, `LISTEN_PID`) and a notify
/// socket that collects READY/RELOADING/STOPPING. Over TCP the test binds
/// the socket itself on port 0 and passes it, as systemd does; with a unix
/// socket path, `systemd-socket-activate` binds and passes it (like systemd,
/// it starts the service on the first connection, so those tests connect first).
@Suite("systemd socket activation")
struct SocketActivationTests {
    static let activate = ["/usr/bin/systemd-socket-activate", "/bin/systemd-socket-activate"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `gateway serve --app probe ARGS` with `sockets` passed as systemd passes
    /// them, named `names` (colon-separated, like `FileDescriptorName=`).
    static func start(_ sockets: [PassedSocket], names: String? = nil, notify: NotifySocket, _ arguments: [String]) throws
        -> ProcessWithSockets
    {
        var environment = ["LISTEN_FDS": String(sockets.count), "NOTIFY_SOCKET": notify.path]
        environment["LISTEN_FDNAMES"] = names
        return try ProcessWithSockets(gatewayExecutable.path, ["serve", "--app", "probe", "--no-access-log"] + arguments,
                                      sockets: sockets, environment: environment, listenPID: true)
    }

    /// `systemd-socket-activate ACTIVATE -l PATH -E NOTIFY_SOCKET=... gateway serve ARGS`.
    static func underActivator(_ path: String, _ options: [String] = [], notify: NotifySocket? = nil, _ arguments: [String],
                         stderr: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: activate!)
        process.arguments = options + ["-l", path] + (notify.map { ["-E", "NOTIFY_SOCKET=\($0.path)"] } ?? [])
            + [gatewayExecutable.path, "serve", "--app", "probe", "--no-access-log"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A connection to the unix socket once systemd-socket-activate has bound it.
    static func connect(unixPath: String) throws -> TestHTTPClient {
        _ = waitUntil(seconds: 10) { FileManager.default.fileExists(atPath: unixPath) }
        return try TestHTTPClient(unixPath: unixPath)
    }

    @Test(.timeLimit(.minutes(1)), arguments: [[], ["--threads", "2"], ["--processes", "2"]])
    func servesTheInheritedSocketAndReportsReadyThenStopping(mode: [String]) throws {
        let notify = try NotifySocket()
        let socket = try PassedSocket()
        defer { withExtendedLifetime(socket) {} }
        let port = socket.port
        let process = try Self.start([socket], notify: notify, mode)
        defer { process.stop(signal: SIGKILL) }

        #expect(notify.receive() == "READY=1")
        let response = try TestHTTPClient(port: port).get("/hello")
        #expect(response.status == 200)
        #expect(response.text == "Hello, World!")
        let environ = try TestHTTPClient(port: port).get("/environ")
        #expect(environ.text.contains("\"SERVER_PORT\": \"\(port)\""))

        #expect(process.stop() == 0)
        #expect(notify.receive() == "STOPPING=1")
    }

    @Test(.timeLimit(.minutes(1)))
    func preforkReloadsOnSIGHUPAndKeepsServing() throws {
        let notify = try NotifySocket()
        let socket = try PassedSocket()
        defer { withExtendedLifetime(socket) {} }
        let port = socket.port
        let process = try Self.start([socket], notify: notify, ["--processes", "2"])
        defer { process.stop(signal: SIGKILL) }
        #expect(try TestHTTPClient(port: port).get("/hello").status == 200)
        #expect(notify.receive() == "READY=1")

        let before = childProcesses(of: process.pid)
        #expect(before.count == 2)
        kill(process.pid, SIGHUP)
        #expect(notify.receive() == "RELOADING=1")
        #expect(notify.receive() == "READY=1")
        // Once the old workers have drained and exited, two new ones serve.
        // (A connection an old worker accepted just before its SIGTERM may be
        // closed unanswered: the drain closes connections without a request.)
        #expect(waitUntil(seconds: 15) {
            let now = childProcesses(of: process.pid)
            return now.count == 2 && now.isDisjoint(with: before)
        })
        #expect(try TestHTTPClient(port: port).get("/hello").status == 200)
        #expect(process.stop() == 0)
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func anInheritedUnixSocketIsServedAndNeverUnlinked() throws {
        let notify = try NotifySocket()
        let path = temporaryPath("activated", suffix: ".sock")
        defer { unlink(path) }
        let process = try Self.underActivator(path, notify: notify, [])
        defer { stopProcess(process, signal: SIGKILL) }
        #expect(try Self.connect(unixPath: path).get("/hello").text == "Hello, World!")  // starts gateway
        #expect(notify.receive() == "READY=1")
        #expect(stopProcess(process) == 0)
        #expect(FileManager.default.fileExists(atPath: path), "the socket file is systemd's, not ours to remove")
    }

    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func theSocketBackendRefusesAnInheritedSocket() throws {
        let path = temporaryPath("activated", suffix: ".sock")
        defer { unlink(path) }
        let errors = Pipe()
        let process = try Self.underActivator(path, [], ["--backend", "socket"], stderr: errors)
        defer { stopProcess(process, signal: SIGKILL) }
        let client = try Self.connect(unixPath: path)  // starts gateway
        #expect(client.isClosedByServer())
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stopProcess(process).map { $0 != 0 } == true)
        #expect(text.contains("socket activation needs --backend event"))
    }

    /// `Accept=yes` passes connected sockets, not a listener: refused, saying why.
    @Test(.enabled(if: activate != nil, "systemd-socket-activate is absent (apt-get install systemd): skipped"),
          .timeLimit(.minutes(1)))
    func aConnectedSocketIsRefusedAsNotListening() throws {
        let path = temporaryPath("activated", suffix: ".sock")
        defer { unlink(path) }
        let errors = Pipe()
        let process = try Self.underActivator(path, ["--accept"], [], stderr: errors)
        // With --accept the activator stays, spawning a child per connection; it is ours to end.
        defer { stopProcess(process, signal: SIGKILL) }
        let client = try Self.connect(unixPath: path)  // spawns gateway with the connection as fd 3
        #expect(client.isClosedByServer())
        var text = ""
        for _ in 0..<500 where !text.contains("\n") || !text.contains("not listening") {
            text += String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(text.contains("descriptor 3 (unknown) is not listening (use ListenStream= without Accept=yes)"), "\(text)")
    }

    /// A socket unit with a TCP and a unix `ListenStream=`: both are served,
    /// each with its own SERVER_NAME/SERVER_PORT, in every mode.
    @Test(.timeLimit(.minutes(1)), arguments: [[], ["--processes", "2"]])
    func servesEverySocketPassed(mode: [String]) throws {
        let notify = try NotifySocket()
        let path = temporaryPath("activated", suffix: ".sock")
        let sockets = [try PassedSocket(), try PassedSocket(unixPath: path)]
        defer { withExtendedLifetime(sockets) {} }
        let port = sockets[0].port
        let process = try Self.start(sockets, names: "web:local", notify: notify, mode)
        defer { process.stop(signal: SIGKILL) }
        #expect(notify.receive() == "READY=1")
        let overTCP = try TestHTTPClient(port: port).get("/environ")
        #expect(overTCP.text.contains("\"SERVER_PORT\": \"\(port)\""))
        let overUnix = try TestHTTPClient(unixPath: path).get("/environ")
        #expect(overUnix.status == 200)
        #expect(overUnix.text.contains("\"SERVER_NAME\": \"\(path)\""))
        #expect(process.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: path), "the socket file is the socket unit's, not gateway's to remove")
    }

    /// `LISTEN_*` meant for another process (a parent's) are not ours: gateway binds its own socket.
    @Test(.timeLimit(.minutes(1))) func socketsForAnotherProcessAreLeftAlone() throws {
        let server = try GatewayProcess(
            serve: ["--host", "127.0.0.1", "--port", "0", "--app", "probe"],
            environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "elsewhere"])
        defer { server.stop() }
        #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
    }
}
