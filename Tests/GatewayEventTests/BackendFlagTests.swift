import Foundation
import Gateway
import GatewayTesting
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
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(text.contains(message))
    }

    @Test(.timeLimit(.minutes(1))) func theSocketBackendServesAUnixSocket() throws {
        let path = UnixSocketPermissionTests.socketPath()
        let process = try UnixSocketPermissionTests.serve(path, ["--backend", "socket", "--app", "probe"])
        defer { UnixSocketPermissionTests.stop(process) }
        #expect(UnixSocketPermissionTests.fileStatus(path).map { $0.st_mode & 0o777 } == 0o666)
        #expect(try TestHTTPClient(unixPath: path).get("/hello").text == "Hello, World!")
        UnixSocketPermissionTests.stop(process)
        #expect(UnixSocketPermissionTests.fileStatus(path) == nil)
    }
}
