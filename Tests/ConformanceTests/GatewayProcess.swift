import Foundation
import GatewayTesting

/// `gateway serve` on port 0 in a process of its own, for the modes a
/// server object in the test cannot show (prefork, and the socket server's
/// fork mode, which must not fork this many-threaded process). Stopped with
/// SIGTERM.
final class GatewayProcess {
    private let process = Process()
    let port: Int
    var processIdentifier: Int32 { process.processIdentifier }

    init(_ arguments: [String]) throws {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        let candidates = [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("gateway") }
        process.executableURL = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line: [UInt8] = []
        while line.last != UInt8(ascii: "\n") {
            let data = output.fileHandleForReading.readData(ofLength: 1)
            if data.isEmpty { break }
            line += data
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let match = text.firstMatch(of: /:(\d+)\//), let port = Int(match.1) else {
            process.terminate()
            process.waitUntilExit()
            throw TestClientError.malformed("no port in \(text.debugDescription)")
        }
        self.port = port
    }

    /// SIGTERM, then SIGKILL if it is still there after ten seconds.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The processes this one has forked and not yet reaped (Linux
    /// `/proc/PID/task/TID/children`).
    func children() -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(processIdentifier)/task")) ?? []
        return tasks.flatMap { task -> [Int32] in
            let list = (try? String(contentsOfFile: "/proc/\(processIdentifier)/task/\(task)/children", encoding: .utf8)) ?? ""
            return list.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    deinit { stop() }
}
