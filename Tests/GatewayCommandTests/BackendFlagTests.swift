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
        (["--backend", "socket", "--processes", "2", "--idle-timeout", "5"], "--processes, --idle-timeout only apply"),
        (["--backend", "socket", "--reactors", "2"], "--reactors only apply"),
        (["--socket-mode", "fork"], "--socket-mode only applies to --backend socket"),
        (["--unix-mode", "600"], "--unix-mode and --unix-group apply to --unix"),
    ])
    func aFlagTheBackendWouldIgnoreIsRefused(arguments: [String], message: String) throws {
        let (status, errors) = try GatewayProcess.refusal(["--port", "0"] + arguments)
        #expect(status.map { $0 != 0 } == true, "exit status \(String(describing: status))")
        #expect(errors.contains(message))
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
