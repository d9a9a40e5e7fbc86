import Foundation
import Gateway
import GatewayTesting
import Testing

/// Who may connect to `gateway serve --unix PATH`: by default a proxy running
/// as another user can (mode 0666, as gunicorn and uvicorn do); `--unix-mode`
/// and `--unix-group` tighten it.
@Suite("unix socket permissions")
struct UnixSocketPermissionTests {
    static func socketPath() -> String {
        "/tmp/eventgateway-perm-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    /// Starts `gateway serve --unix PATH ARGS`, waits for its start-up line.
    static func serve(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["serve", "--unix", path] + arguments
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
        #expect(String(decoding: bytes, as: UTF8.self) == "Serving on unix:\(path)\n")
        return process
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    static func fileStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    @Test(.timeLimit(.minutes(1))) func byDefaultAnyUserMayConnect() throws {
        let path = Self.socketPath()
        let process = try Self.serve(path, [])
        defer { Self.stop(process) }
        let info = try #require(Self.fileStatus(path))
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o666)
        #expect(try TestHTTPClient(unixPath: path).get("/").status == 200)
        Self.stop(process)
        #expect(Self.fileStatus(path) == nil, "gateway removes the socket file it created")
    }

    @Test(.timeLimit(.minutes(1))) func modeAndGroupTightenIt() throws {
        let group = try #require(getgrnam("nogroup") ?? getgrnam("nobody"))
        let name = String(cString: group.pointee.gr_name)
        let gid = group.pointee.gr_gid
        let path = Self.socketPath()
        let process = try Self.serve(path, ["--unix-mode", "0660", "--unix-group", name])
        defer { Self.stop(process) }
        let info = try #require(Self.fileStatus(path))
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == gid)
    }

    @Test(arguments: [["--unix-mode", "999"], ["--unix-mode", "rw"], ["--unix-group", "no-such-group-eventgateway"]])
    func badPermissionsAreRefused(arguments: [String]) throws {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["serve", "--unix", Self.socketPath()] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { Self.stop(process) }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(text.contains(arguments[0] == "--unix-group" ? "unknown group" : "--unix-mode"))
    }
}
