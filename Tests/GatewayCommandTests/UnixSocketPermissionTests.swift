import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// Who may connect to `gateway serve --unix PATH`: by default a proxy running
/// as another user can (mode 0666, as gunicorn and uvicorn do); `--unix-mode`
/// and `--unix-group` tighten it.
@Suite("unix socket permissions")
struct UnixSocketPermissionTests {
    static func socketPath() -> String { temporaryPath("perm", suffix: ".sock") }

    /// `gateway serve --unix PATH ARGS`, once it serves there.
    static func serve(_ path: String, _ arguments: [String]) throws -> GatewayProcess {
        let server = try GatewayProcess(serve: ["--unix", path] + arguments)
        #expect(server.startLine == "Serving on unix:\(path)\n")
        return server
    }

    static func fileStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    @Test(.timeLimit(.minutes(1))) func byDefaultAnyUserMayConnect() throws {
        let path = Self.socketPath()
        let server = try Self.serve(path, [])
        let info = try #require(Self.fileStatus(path))
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o666)
        #expect(try TestHTTPClient(unixPath: path).get("/").status == 200)
        #expect(server.stop())
        #expect(Self.fileStatus(path) == nil, "gateway removes the socket file it created")
    }

    @Test(.timeLimit(.minutes(1))) func modeAndGroupTightenIt() throws {
        let group = try #require(getgrnam("nogroup") ?? getgrnam("nobody"))
        let name = String(cString: group.pointee.gr_name)
        let gid = group.pointee.gr_gid
        let path = Self.socketPath()
        let server = try Self.serve(path, ["--unix-mode", "0660", "--unix-group", name])
        defer { server.stop() }
        let info = try #require(Self.fileStatus(path))
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == gid)
    }

    @Test(arguments: [["--unix-mode", "999"], ["--unix-mode", "rw"], ["--unix-group", "no-such-group-eventgateway"]])
    func badPermissionsAreRefused(arguments: [String]) throws {
        let (status, text) = try GatewayProcess.refusal(["--unix", Self.socketPath()] + arguments)
        #expect(status.map { $0 != 0 } == true, "exit status \(String(describing: status))")
        #expect(text.contains(arguments[0] == "--unix-group" ? "unknown group" : "--unix-mode"))
    }
}
