import Foundation
import GatewayTesting
#if canImport(Glibc)
import Glibc
#endif

/// The package's folder (where Package.swift is).
package let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A program the package builds (`gateway`, the examples), beside the test bundle.
package func builtExecutable(_ name: String) -> URL {
    var directory = Bundle.main.bundleURL
    if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return directory.appendingPathComponent(name)
}

/// The built `gateway` command (the debug build `swift test` makes).
package var gatewayExecutable: URL { builtExecutable("gateway") }

/// The release build of `gateway`, the program users run (`make serve`
/// and `make deb` build it so): `.build/release/gateway`, which `make test`
/// builds before the tests. The tests cannot build it themselves (`swift
/// test` holds the build folder's lock while they run), so a missing or
/// stale one is an error that says how to build it, never a silent
/// fallback to the debug build.
package func releaseGatewayExecutable() throws -> URL {
    let executable = packageRoot.appendingPathComponent(".build/release/gateway")
    let build = "build it with `swift build -c release --product gateway` (`make test` does)"
    guard let linked = modificationDate(executable.path) else {
        throw ReleaseBuildMissing(description: "no release build at \(executable.path): \(build)")
    }
    // Stale: a file it is built from changed after it was linked and after
    // the last release build. (A build that finds nothing to do, say after a
    // file was touched but not changed, does not relink; it does renew the
    // `.build/release` link, which SwiftPM makes at each release build.)
    let built = max(linked, modificationDate(packageRoot.appendingPathComponent(".build/release").path) ?? linked)
    // What the product is built from (Package.swift's dependencies of `gateway`).
    let sources = ["Sources/Gateway", "Sources/GatewayHTTP", "Sources/GatewayEvent", "Sources/GatewaySocket",
                   "Sources/GatewayProbe", "Sources/GatewayMiddleware", "Sources/CZlib", "Sources/GatewayCommand", "Sources/gateway",
                   "Examples/Apps", "CLibEvent"]
    for folder in sources {
        let root = packageRoot.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        for file in files {
            if let changed = modificationDate(root.appendingPathComponent(file).path), changed > built {
                throw ReleaseBuildMissing(description: "the release build at \(executable.path) is older than \(folder)/\(file): \(build)")
            }
        }
    }
    return executable
}

/// Why ``releaseGatewayExecutable()`` has no program to give, and how to build it.
package struct ReleaseBuildMissing: Error, CustomStringConvertible {
    package let description: String
}

/// When the file at `path` (a link itself, not what it points to) last changed; nil when there is none.
private func modificationDate(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
}

/// Starts `process` with SIGINT, SIGTERM and SIGHUP unblocked, as a shell
/// starts a program. Foundation's `Process` passes on the calling thread's
/// signal mask, and a test's threads (the cooperative pool's, and those
/// they start) block nearly every signal: a server started with them
/// blocked hides a thread that would take SIGTERM and die of it (#20).
/// Only these three, and only around the spawn: the test process's own
/// signal handling is left as it was.
package func runAsFromAShell(_ process: Process) throws {
    var stops = sigset_t()
    var previous = sigset_t()
    sigemptyset(&stops)
    for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stops, number) }
    pthread_sigmask(SIG_UNBLOCK, &stops, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try process.run()
}

/// One line from `handle`, read a byte at a time (so nothing past it is taken);
/// what there was when the other end closed first.
package func readLine(from handle: FileHandle) -> String {
    var bytes: [UInt8] = []
    while bytes.last != UInt8(ascii: "\n") {
        let data = handle.readData(ofLength: 1)
        if data.isEmpty { break }
        bytes += data
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A program of the package started with `arguments` that prints
/// "Serving on URL" first (the examples do), with the port from that line.
/// Run under `stdbuf -oL`: its `print` goes to a pipe, which C stdio would
/// otherwise buffer until the program exits.
package func startServing(_ executable: URL, _ arguments: [String]) throws -> (process: Process, port: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/stdbuf")
    process.arguments = ["-oL", executable.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try runAsFromAShell(process)
    let line = readLine(from: output.fileHandleForReading)
    guard let port = line.firstMatch(of: /Serving on http:\/\/[^\/]*:(\d+)\//).flatMap({ Int($0.1) }) else {
        _ = stopProcess(process, signal: SIGKILL)
        throw TestClientError.malformed("\(executable.lastPathComponent) printed \(line.debugDescription)")
    }
    return (process, port)
}

/// Sends `signal`, waits up to `seconds` for the exit and returns its status;
/// nil when it had to be killed (SIGKILL) after that.
@discardableResult
package func stopProcess(_ process: Process, signal: Int32 = SIGTERM, seconds: Double = 20) -> Int32? {
    guard process.isRunning else { return process.terminationStatus }
    kill(process.processIdentifier, signal)
    if waitUntil(seconds: seconds, { !process.isRunning }) { return process.terminationStatus }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return nil
}

/// Runs a program with `input` on stdin; nil when it is not installed.
package func runTool(_ path: String, _ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, output: [UInt8])? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    try process.run()
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, Array(output))
}

/// The installed python3, if any.
package let python3 = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

/// A program a test needs is not installed: the test fails, naming it,
/// rather than passing without the check (`make test-deps` installs them).
package struct MissingProgram: Error, CustomStringConvertible {
    package let name: String
    package init(_ name: String) { self.name = name }
    package var description: String { "\(name) not found: this check needs it (make test-deps installs it)" }
}

/// What Python's `gzip.decompress` makes of `bytes`; throws ``MissingProgram`` without python3.
package func pythonGunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    guard let python3 else { throw MissingProgram("python3") }
    let script = "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"
    guard let (status, output) = try runTool(python3, ["-c", script], input: bytes), status == 0 else {
        throw TestClientError.malformed("python3 gzip.decompress failed")
    }
    return output
}

/// The direct children of a process (forked and not yet reaped), from /proc.
package func childProcesses(of parent: Int32) -> Set<Int32> {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var children: Set<Int32> = []
    for entry in entries {
        guard let pid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { continue }
        // After "(comm)": the state, then the parent's pid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, Int32(fields[1]) == parent { children.insert(pid) }
    }
    return children
}

/// Runs a program of the package to its end with `input` on stdin and
/// `environment` in place of this process's (when given): its exit status,
/// stdout and stderr. Killed (status nil) after `seconds`.
package func runProgram(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, input: [UInt8] = [], seconds: Double = 20
) throws -> (status: Int32?, output: String, errors: String) {
    let outputPath = temporaryPath("output"), errorsPath = temporaryPath("errors")
    for path in [outputPath, errorsPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    defer { unlink(outputPath); unlink(errorsPath) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let stdin = Pipe()
    process.standardInput = stdin
    process.standardOutput = FileHandle(forWritingAtPath: outputPath)
    process.standardError = FileHandle(forWritingAtPath: errorsPath)
    try runAsFromAShell(process)
    stdin.fileHandleForWriting.write(Data(input))
    try? stdin.fileHandleForWriting.close()
    let exited = waitUntil(seconds: seconds) { !process.isRunning }
    if !exited { stopProcess(process, signal: SIGKILL) }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
    return (exited ? process.terminationStatus : nil, output, errors)
}
