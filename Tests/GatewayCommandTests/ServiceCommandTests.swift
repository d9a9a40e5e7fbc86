import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// GatewayCommand as a service author uses it: EchoService (Tests/EchoService)
/// is a main.swift of a few lines with its own name, version and
/// applications, and gets the whole `serve` command.
@Suite("a service made with GatewayCommand")
struct ServiceCommandTests {
    static var echoService: URL { builtExecutable("EchoService") }

    @Test func versionAndHelpAreTheServicesOwn() throws {
        let version = try runProgram(Self.echoService, ["--version"])
        #expect(version.status == 0)
        #expect(version.output == "2.5.0-test\n")

        let help = try runProgram(Self.echoService, ["--help"])
        #expect(help.output.hasPrefix("""
            OVERVIEW: Echoes the path (a test service made with GatewayCommand).

            USAGE: echo-service <subcommand>
            """), "\(help.output)")
        let serveHelp = try runProgram(Self.echoService, ["help", "serve"]).output
        #expect(serveHelp.contains("USAGE: echo-service serve <options>"), "\(serveHelp)")
        #expect(serveHelp.contains("The application: echo, settings. (default: echo)"), "\(serveHelp)")
        for flag in ["--config", "--processes", "--backend", "--forwarded-allow-ips", "--unix-mode", "--no-access-log"] {
            #expect(serveHelp.contains(flag), "\(flag)")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["event", "socket"])
    func servesItsFirstApplicationByDefault(backend: String) throws {
        let server = try GatewayProcess(["--backend", backend], executable: Self.echoService)
        #expect(server.startLine.wholeMatch(of: /Serving on http:\/\/127\.0\.0\.1:\d+\/\n/) != nil, "\(server.startLine)")
        #expect(try TestHTTPClient(port: server.port).get("/a/b").text == "echo: /a/b")
        #expect(server.stop())
        #expect(server.process.terminationStatus == 0)
    }

    /// The application is made from --root, --access-log and the
    /// environment, whichever source set them: file, variable or flag.
    @Test(.timeLimit(.minutes(1))) func applicationsAreMadeFromTheSettings() throws {
        let path = temporaryPath("echo", suffix: ".conf")
        try "app = settings\nroot = /srv/files\nno-access-log = true\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let server = try GatewayProcess(serve: ["--config", path, "--host", "127.0.0.1", "--port", "0"],
                                        environment: ["ECHO_GREETING": "hi", "GATEWAY_ROOT": "/srv/other"],
                                        executable: Self.echoService)
        #expect(try TestHTTPClient(port: server.port).get("/").text == "root=/srv/other access-log=false ECHO_GREETING=hi")
    }

    @Test func anUnknownApplicationIsRefusedListingTheServicesOwn() throws {
        let (status, errors) = try GatewayProcess.refusal(["--app", "demo"], executable: Self.echoService)
        #expect(status == 64)
        #expect(errors.hasPrefix("Error: unknown app 'demo'; choose one of echo, settings\n"), "\(errors)")
        #expect(errors.contains("Usage: echo-service serve <options>"), "\(errors)")
    }

    @Test func aBadSettingNamesTheServicesHelp() throws {
        let (status, errors) = try GatewayProcess.refusal([], environment: ["GATEWAY_PORT": "eighty"], executable: Self.echoService)
        #expect(status == 64)
        #expect(errors.hasSuffix("See 'echo-service help serve'.\n"), "\(errors)")
    }

    @Test func cgiRunsItsApplications() throws {
        let environment = ["REQUEST_METHOD": "GET", "PATH_INFO": "/x", "SERVER_NAME": "localhost", "SERVER_PORT": "80"]
        let run = try runProgram(Self.echoService, ["cgi", "--app", "settings", "--root", "/r"], environment: environment)
        #expect(run.status == 0)
        #expect(run.output == "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\nroot=/r access-log=false ECHO_GREETING=-", "\(run.output)")
    }
}
