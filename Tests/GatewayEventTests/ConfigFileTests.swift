import Foundation
import Gateway
import GatewayTesting
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

    /// Starts `gateway serve ARGS` with `environment`; returns it and its port.
    static func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var bytes: [UInt8] = []
        while bytes.last != UInt8(ascii: "\n") {
            let data = output.fileHandleForReading.readData(ofLength: 1)
            if data.isEmpty { break }
            bytes += data
        }
        let line = String(decoding: bytes, as: UTF8.self)
        guard let port = line.firstMatch(of: /:(\d+)\//).flatMap({ Int($0.1) }) else {
            if process.isRunning { process.terminate() }
            throw TestClientError.malformed("no port in \(line.debugDescription)")
        }
        return (process, port)
    }

    /// Which built-in app answers: the probe knows /hello, the demo app answers anything.
    static func appServing(port: Int) throws -> String {
        try TestHTTPClient(port: port).get("/hello").text == "Hello, World!" ? "probe" : "demo"
    }

    static func refusal(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, text)
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

        let (fromFile, filePort) = try Self.serve(["--config", path])
        defer { fromFile.terminate(); fromFile.waitUntilExit() }
        #expect(try Self.appServing(port: filePort) == "probe")

        let (fromEnvironment, environmentPort) = try Self.serve(["--config", path], environment: ["GATEWAY_APP": "demo"])
        defer { fromEnvironment.terminate(); fromEnvironment.waitUntilExit() }
        #expect(try Self.appServing(port: environmentPort) == "demo")

        let (fromFlags, flagPort) = try Self.serve(["--config", path, "--app", "probe"], environment: ["GATEWAY_APP": "demo"])
        defer { fromFlags.terminate(); fromFlags.waitUntilExit() }
        #expect(try Self.appServing(port: flagPort) == "probe")
    }

    @Test(arguments: [
        ("prot = 8000", ":1: unknown key 'prot'"),
        ("port = 8000\nport = 9000", ":2: 'port' is set twice"),
        ("port = eighty", ":1: bad value \"eighty\" for 'port'"),
        ("no-access-log = maybe", ":1: bad value \"maybe\" for 'no-access-log'"),
        ("\n\nmax-connections = 0", ":3: bad value \"0\" for 'max-connections'"),
        ("just words", ":1: expected 'key = value'"),
    ])
    func aBadFileIsRefusedNamingTheLineAndKey(text: String, message: String) throws {
        let path = try Self.writeConfig(text)
        defer { unlink(path) }
        let (status, errors) = try Self.refusal(["--config", path])
        #expect(status != 0)
        #expect(errors.contains(path + message), "\(errors)")
    }

    @Test func aBadVariableIsRefusedNamingIt() throws {
        let (status, errors) = try Self.refusal([], environment: ["GATEWAY_MAX_BODY_BYTES": "lots"])
        #expect(status != 0)
        #expect(errors.contains("GATEWAY_MAX_BODY_BYTES: bad value \"lots\" for 'max-body-bytes'"))
        let (unknownStatus, unknown) = try Self.refusal([], environment: ["GATEWAY_THREADZ": "2"])
        #expect(unknownStatus != 0)
        #expect(unknown.contains("GATEWAY_THREADZ: unknown key 'threadz'"))
    }

    /// The packaged settings file is valid: `gateway serve` accepts it.
    @Test(.timeLimit(.minutes(1))) func theShippedConfigurationIsAccepted() throws {
        let shipped = ServiceExampleTests.root.appendingPathComponent("packaging/deb/gateway.conf").path
        let (process, port) = try Self.serve(["--config", shipped, "--port", "0", "--processes", "0"])
        defer { process.terminate(); process.waitUntilExit() }
        #expect(try TestHTTPClient(port: port).get("/").status == 200)
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
        let process = try UnixSocketPermissionTests.serve(socketPath, ["--config", path])
        defer { UnixSocketPermissionTests.stop(process) }
        #expect(UnixSocketPermissionTests.fileStatus(socketPath).map { $0.st_mode & 0o777 } == 0o600)
        #expect(try TestHTTPClient(unixPath: socketPath).get("/").status == 200)
    }
}
