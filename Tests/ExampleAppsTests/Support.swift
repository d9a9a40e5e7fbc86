import Foundation
import Gateway
import GatewayEvent
import GatewaySocket
import GatewayTesting

/// The two servers every middleware test runs on.
enum ServerKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case event, socket
    var description: String { rawValue }
}

/// Starts `kind`'s server through its `makeServer` on 127.0.0.1, port 0,
/// runs `body` with a client, stops the server.
func withServer<T>(_ kind: ServerKind, app: @escaping Application, _ body: (BackgroundServer, TestHTTPClient) throws -> T) throws -> T {
    let server: any GatewayServer = switch kind {
    case .event: try GatewayEvent.makeServer(host: "127.0.0.1", port: 0, app: app)
    case .socket: try GatewaySocket.makeServer(host: "127.0.0.1", port: 0, app: app)
    }
    let running = BackgroundServer(server)
    defer { running.stop() }
    let client = try TestHTTPClient(port: running.port, timeout: 5)
    defer { client.close() }
    return try body(running, client)
}

/// Runs a program with `input` on stdin; nil when it is not installed.
func runTool(_ path: String, _ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, output: [UInt8])? {
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

/// What Python's `gzip.decompress` makes of `bytes`; nil without python3.
func pythonGunzip(_ bytes: [UInt8]) throws -> [UInt8]? {
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let python else { return nil }
    let script = "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"
    guard let (status, output) = try runTool(python, ["-c", script], input: bytes), status == 0 else {
        throw TestClientError.malformed("python3 gzip.decompress failed")
    }
    return output
}

/// A fresh folder under /tmp, removed by the caller.
func makeTemporaryFolder(_ tag: String) throws -> String {
    let path = "/tmp/eventgateway-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Text that compresses well and is `count` bytes long.
func compressibleText(_ count: Int) -> String {
    let line = "The quick brown fox jumps over the lazy dog. 0123456789\n"
    return String(String(repeating: line, count: count / line.utf8.count + 1).prefix(count))
}
