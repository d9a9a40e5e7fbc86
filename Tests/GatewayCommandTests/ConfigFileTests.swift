import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// `gateway serve --config PATH`: every flag can be set in the file or as a
/// `GATEWAY_*` variable; the variable overrides the file, the command line
/// both; an unknown key or a bad value is refused, naming it.
@Suite("gateway serve --config")
struct ConfigFileTests {
    static func writeConfig(_ text: String) throws -> String {
        let path = "/tmp/eventgateway-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `gateway serve ARGS` with `environment`, once it serves.
    static func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> GatewayProcess {
        try GatewayProcess(serve: arguments, environment: environment)
    }

    /// Which built-in app answers: the probe knows /hello, the demo app answers anything.
    static func appServing(port: Int) throws -> String {
        try TestHTTPClient(port: port).get("/hello").text == "Hello, World!" ? "probe" : "demo"
    }

    @Test(.timeLimit(.minutes(1))) func theFileTheEnvironmentAndTheCommandLineInThatOrder() throws {
        let path = try Self.writeConfig("""
            # a comment, then settings named after the flags
            host = 127.0.0.1
            port = 0
            app = probe
            no-access-log = true
            forwarded-allow-ips = "127.0.0.1, unix"
            """)
        defer { unlink(path) }

        let fromFile = try Self.serve(["--config", path])
        #expect(try Self.appServing(port: fromFile.port) == "probe")

        let fromEnvironment = try Self.serve(["--config", path], environment: ["GATEWAY_APP": "demo"])
        #expect(try Self.appServing(port: fromEnvironment.port) == "demo")

        let fromFlags = try Self.serve(["--config", path, "--app", "probe"], environment: ["GATEWAY_APP": "demo"])
        #expect(try Self.appServing(port: fromFlags.port) == "probe")
    }

    /// One way to set the two booleans, and what should come of it.
    struct BooleanCase: Sendable, CustomTestStringConvertible {
        var file: [String]
        var environment: [String: String] = [:]
        var flags: [String] = []
        var accessLog: Bool
        var serverHeader: Bool
        var testDescription: String { "\(file) \(environment) \(flags)" }
    }

    /// Booleans follow the same order as values, both ways: each has its
    /// inverse flag (`--access-log`/`--no-access-log`), and `false` in the
    /// file or a variable gives that inverse rather than nothing.
    @Test(.timeLimit(.minutes(1)), arguments: [
        // true in the file, turned off by the environment
        BooleanCase(file: ["no-access-log = true", "no-server-header = true"],
                    environment: ["GATEWAY_NO_ACCESS_LOG": "false", "GATEWAY_NO_SERVER_HEADER": "off"],
                    accessLog: true, serverHeader: true),
        // ... and by the command line
        BooleanCase(file: ["no-access-log = true", "no-server-header = true"],
                    flags: ["--access-log", "--server-header"], accessLog: true, serverHeader: true),
        // ... where the command line wins over the environment in turn
        BooleanCase(file: ["no-access-log = true", "no-server-header = true"],
                    environment: ["GATEWAY_NO_ACCESS_LOG": "false", "GATEWAY_NO_SERVER_HEADER": "false"],
                    flags: ["--no-access-log"], accessLog: false, serverHeader: true),
        // false in the file (either spelling), or in the environment ...
        BooleanCase(file: ["access-log = false", "server-header = no"], accessLog: false, serverHeader: false),
        BooleanCase(file: ["no-access-log = false", "no-server-header = false"],
                    environment: ["GATEWAY_ACCESS_LOG": "false", "GATEWAY_SERVER_HEADER": "0"],
                    accessLog: false, serverHeader: false),
        // ... turned on by the command line
        BooleanCase(file: ["access-log = false", "server-header = false"],
                    flags: ["--access-log", "--server-header"], accessLog: true, serverHeader: true),
        BooleanCase(file: ["access-log = false", "no-server-header = true"],
                    environment: ["GATEWAY_ACCESS_LOG": "true"], flags: ["--server-header"], accessLog: true, serverHeader: true),
    ])
    func booleansCanBeTurnedOffAndOnAgain(setting: BooleanCase) throws {
        let path = try Self.writeConfig((["host = 127.0.0.1", "port = 0", "app = probe"] + setting.file).joined(separator: "\n"))
        defer { unlink(path) }
        let server = try Self.serve(["--config", path] + setting.flags, environment: setting.environment)
        let response = try TestHTTPClient(port: server.port).get("/hello")
        #expect(response.status == 200)
        #expect((response.header("Server") != nil) == setting.serverHeader, "\(response)")
        #expect(server.stop())
        #expect(server.stderr.contains("\"GET /hello HTTP/1.1\" 200") == setting.accessLog, "\(server.stderr)")
    }

    @Test(arguments: [
        ("prot = 8000", ":1: unknown key 'prot'"),
        ("port = 8000\nport = 9000", ":2: 'port' is set twice"),
        ("port = eighty", ":1: bad value \"eighty\" for 'port'"),
        ("no-access-log = maybe", ":1: bad value \"maybe\" for 'no-access-log'"),
        ("access-log = maybe", ":1: bad value \"maybe\" for 'access-log'"),
        ("\n\nmax-connections = 0", ":3: bad value \"0\" for 'max-connections'"),
        ("just words", ":1: expected 'key = value'"),
    ])
    func aBadFileIsRefusedNamingTheLineAndKey(text: String, message: String) throws {
        let path = try Self.writeConfig(text)
        defer { unlink(path) }
        let (status, errors) = try GatewayProcess.refusal(["--config", path])
        #expect(status.map { $0 != 0 } == true, "exit status \(String(describing: status))")
        #expect(errors.contains(path + message), "\(errors)")
    }

    @Test func aBadVariableIsRefusedNamingIt() throws {
        let (status, errors) = try GatewayProcess.refusal([], environment: ["GATEWAY_MAX_BODY_BYTES": "lots"])
        #expect(status.map { $0 != 0 } == true, "exit status \(String(describing: status))")
        #expect(errors.contains("GATEWAY_MAX_BODY_BYTES: bad value \"lots\" for 'max-body-bytes'"))
        // An unknown variable is only warned about: ArgumentMessageTests.anUnknownVariableIsWarnedAboutNotFatal.
    }

    /// The packaged settings file is valid: `gateway serve` accepts it.
    @Test(.timeLimit(.minutes(1))) func theShippedConfigurationIsAccepted() throws {
        let shipped = packageRoot.appendingPathComponent("packaging/deb/gateway.conf").path
        let server = try Self.serve(["--config", shipped, "--port", "0", "--processes", "0"])
        #expect(try TestHTTPClient(port: server.port).get("/").status == 200)
    }

    /// Settings that only make sense together can come from the file together.
    @Test(.timeLimit(.minutes(1))) func relatedSettingsTogether() throws {
        let socketPath = UnixSocketPermissionTests.socketPath()
        let path = try Self.writeConfig("""
            unix = \(socketPath)
            unix-mode = 600
            backend = socket
            socket-mode = fork
            """)
        defer { unlink(path) }
        let server = try UnixSocketPermissionTests.serve(socketPath, ["--config", path])
        defer { server.stop() }
        #expect(UnixSocketPermissionTests.fileStatus(socketPath).map { $0.st_mode & 0o777 } == 0o600)
        #expect(try TestHTTPClient(unixPath: socketPath).get("/").status == 200)
    }
}
