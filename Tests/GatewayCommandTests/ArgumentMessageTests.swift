import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// What `gateway serve` says about a setting it cannot use, word for word:
/// a negative number is refused for its value (it used to be taken for a
/// flag: "Missing value for '--threads <threads>'"), on the command line
/// and in the settings file alike; an unknown key gets a "did you mean".
@Suite("gateway serve: messages about settings")
struct ArgumentMessageTests {
    @Test(arguments: [
        (["--threads", "-1"], "--threads -1: must be 0 or more"),
        (["--reactors", "0"], "--reactors 0: must be 1 or more"),
        (["--processes", "-2"], "--processes -2: must be 0 or more"),
        (["--max-body-bytes", "-3"], "--max-body-bytes -3: must be 0 or more"),
        (["--port", "-5"], "--port -5: must be from 0 to 65535 (0 picks a free port)"),
        (["--port=70000"], "--port 70000: must be from 0 to 65535 (0 picks a free port)"),
        (["--shutdown-timeout", "-1"], "--shutdown-timeout -1: must be more than 0 seconds"),
        (["--keep-alive-timeout", "-0.5"], "--keep-alive-timeout -0.5: must be more than 0 seconds"),
    ])
    func aNegativeNumberIsRefusedForItsValue(arguments: [String], message: String) throws {
        let (status, errors) = try GatewayProcess.refusal(arguments)
        #expect(status == 64)
        #expect(errors.hasPrefix("Error: \(message)\nUsage: gateway serve <options>\n"), "\(errors)")
    }

    @Test(arguments: [
        ("threads = -1", "bad value \"-1\" for 'threads': must be 0 or more"),
        ("shutdown-timeout = -2.5", "bad value \"-2.5\" for 'shutdown-timeout': must be more than 0 seconds"),
        ("port = -1", "bad value \"-1\" for 'port': must be from 0 to 65535 (0 picks a free port)"),
        ("prot = 8000", "unknown key 'prot'; did you mean 'port'? (keys are the flags of `gateway help serve`)"),
        ("keepalive-timeout = 5", "unknown key 'keepalive-timeout'; did you mean 'keep-alive-timeout'? (keys are the flags of `gateway help serve`)"),
        ("no-acess-log = true", "unknown key 'no-acess-log'; did you mean 'no-access-log'? (keys are the flags of `gateway help serve`)"),
        ("colour = blue", "unknown key 'colour' (keys are the flags of `gateway help serve`)"),
    ])
    func aBadFileEntryIsNamedWithWhatIsWrong(line: String, message: String) throws {
        let path = temporaryPath("messages", suffix: ".conf")
        try "# settings\n\(line)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let (status, errors) = try GatewayProcess.refusal(["--config", path])
        #expect(status == 64)
        #expect(errors == "Error: \(path):2: \(message)\nSee 'gateway help serve'.\n")
    }

    /// A `GATEWAY_*` variable that is no setting is someone else's (a
    /// service's own variables may share the prefix): a warning, then the
    /// server starts. A bad value of a real setting still stops it.
    @Test(.timeLimit(.minutes(1))) func anUnknownVariableIsWarnedAboutNotFatal() throws {
        let server = try GatewayProcess(["--app", "probe"], environment: ["GATEWAY_THREADZ": "2", "GATEWAY_DATABASE_URL": "postgres://db"])
        #expect(try TestHTTPClient(port: server.port).get("/hello").text == "Hello, World!")
        #expect(server.stderr.hasPrefix("""
            Warning: GATEWAY_DATABASE_URL is not a setting of `gateway serve`, ignored
            Warning: GATEWAY_THREADZ is not a setting of `gateway serve`, ignored; did you mean GATEWAY_THREADS?

            """), "\(server.stderr)")

        let (status, errors) = try GatewayProcess.refusal([], environment: ["GATEWAY_THREADS": "-1"])
        #expect(status == 64)
        #expect(errors == "Error: GATEWAY_THREADS: bad value \"-1\" for 'threads': must be 0 or more\nSee 'gateway help serve'.\n")
    }
}
