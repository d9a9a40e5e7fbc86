import Foundation
import GatewayTesting
#if canImport(Glibc)
import Glibc
#endif

/// `gateway serve` in a process of its own, for what a server object in the
/// test cannot show: signals, prefork, memory and CPU, the access log on
/// stderr, and the socket server's fork mode (which must never fork this
/// many-threaded test process). Started on port 0 unless the arguments say
/// otherwise; the port is read from its start-up line. Started as from a
/// shell, with the stop signals unblocked; stopped with SIGTERM.
package final class GatewayProcess {
    package let process = Process()
    /// The port from the start-up line ("Serving on http://127.0.0.1:PORT/"); 0 for a unix socket.
    package let port: Int
    /// The start-up line, newline included.
    package let startLine: String
    private let stderrPath: String

    package var processIdentifier: Int32 { process.processIdentifier }

    /// `gateway serve --host 127.0.0.1 --port 0 ARGUMENTS`, of the debug
    /// build unless `executable` is another (``releaseGatewayExecutable()``).
    package convenience init(
        _ arguments: [String], environment: [String: String] = [:], fileLimit: Int? = nil, executable: URL = gatewayExecutable
    ) throws {
        try self.init(serve: ["--host", "127.0.0.1", "--port", "0"] + arguments, environment: environment,
                      fileLimit: fileLimit, executable: executable)
    }

    /// `gateway serve ARGUMENTS` with `environment` added to this process's,
    /// under `prlimit --nofile=fileLimit` when given; returns once it printed
    /// its start-up line, throws (with its stderr) when it exits first.
    package init(serve arguments: [String], environment: [String: String] = [:], fileLimit: Int? = nil,
                 executable gatewayExecutable: URL = gatewayExecutable) throws {
        stderrPath = "/tmp/eventgateway-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let command = ["serve"] + arguments
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(fileLimit)", gatewayExecutable.path] + command
        } else {
            process.executableURL = gatewayExecutable
            process.arguments = command
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try runAsFromAShell(process)
        startLine = readLine(from: output.fileHandleForReading)
        guard startLine.hasPrefix("Serving on ") else {
            stopProcess(process, signal: SIGKILL)
            let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            unlink(stderrPath)
            throw TestClientError.malformed("gateway serve \(arguments) printed \(startLine.debugDescription), stderr: \(errors)")
        }
        port = startLine.firstMatch(of: /:(\d+)\//).flatMap { Int($0.1) } ?? 0
    }

    deinit {
        stop()
        unlink(stderrPath)
    }

    /// What the process wrote to stderr so far.
    package var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `seconds` for the exit; true when it
    /// exited by then. A process still there after that is killed (SIGKILL),
    /// so none outlives the test.
    @discardableResult
    package func stop(with signal: Int32 = SIGTERM, seconds: Double = 10) -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        let exited = waitForExit(seconds: seconds)
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return exited
    }

    /// Waits (bounded) for the process to exit; true when it did.
    package func waitForExit(seconds: Double = 10) -> Bool {
        waitUntil(seconds: seconds) { !process.isRunning }
    }

    /// The processes it has forked and not yet reaped.
    package func children() -> Set<Int32> { childProcesses(of: processIdentifier) }

    /// Its resident memory, in KiB.
    package var residentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// The CPU seconds it has used (user + system).
    package var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Runs `gateway serve ARGUMENTS` expecting it to refuse them: its exit
    /// status and stderr. The status is nil when it was still running after
    /// ten seconds (it took the arguments and served; it is then killed).
    package static func refusal(
        _ arguments: [String], environment: [String: String] = [:], executable: URL = gatewayExecutable
    ) throws -> (status: Int32?, errors: String) {
        let errorsPath = temporaryPath("refusal")
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        defer { unlink(errorsPath) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: errorsPath)
        try process.run()
        let exited = waitUntil(seconds: 10) { !process.isRunning }
        if !exited { stopProcess(process, signal: SIGKILL) }
        let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        return (exited ? process.terminationStatus : nil, errors)
    }
}
