import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// A flag the chosen backend would ignore is refused, naming it; the socket
/// backend serves unix sockets too.
@Suite("gateway serve --backend")
struct BackendFlagTests {
    @Test(arguments: [
        (["--backend", "socket", "--threads", "4"], "--threads only apply to --backend event"),
        (["--backend", "socket", "--processes", "2", "--max-connections", "5"], "--processes, --max-connections only apply"),
        (["--backend", "socket", "--request-timeout", "5"], "--request-timeout only apply"),
        (["--backend", "socket", "--reactors", "2"], "--reactors only apply"),
        (["--socket-mode", "fork"], "--socket-mode only applies to --backend socket"),
        (["--unix-mode", "600"], "--unix-mode and --unix-group apply to --unix"),
    ])
    func aFlagTheBackendWouldIgnoreIsRefused(arguments: [String], message: String) throws {
        let (status, errors) = try GatewayProcess.refusal(["--port", "0"] + arguments)
        #expect(status.map { $0 != 0 } == true, "exit status \(String(describing: status))")
        #expect(errors.contains(message))
    }

    /// The socket server uses --idle-timeout (each connection's socket
    /// timeout): a connection that sends nothing is dropped after it, long
    /// before the socket backend's default 30 s.
    @Test(.timeLimit(.minutes(1))) func theSocketBackendTakesIdleTimeout() throws {
        let server = try GatewayProcess(["--backend", "socket", "--no-access-log", "--idle-timeout", "1"])
        defer { server.stop() }
        let idle = try TestHTTPClient(port: server.port, timeout: 10)
        #expect(idle.isClosedByServer(), "an idle connection still open after 10 s")
        #expect(try TestHTTPClient(port: server.port, timeout: 5).get("/").status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func theSocketBackendServesAUnixSocket() throws {
        let path = UnixSocketPermissionTests.socketPath()
        let server = try UnixSocketPermissionTests.serve(path, ["--backend", "socket", "--app", "probe"])
        #expect(UnixSocketPermissionTests.fileStatus(path).map { $0.st_mode & 0o777 } == 0o666)
        #expect(try TestHTTPClient(unixPath: path).get("/hello").text == "Hello, World!")
        #expect(server.stop())
        #expect(UnixSocketPermissionTests.fileStatus(path) == nil)
    }
}
