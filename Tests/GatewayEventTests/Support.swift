import Gateway
import GatewayEvent
import GatewayTesting

/// Starts an event server on 127.0.0.1, port 0, runs `body`, stops the server.
func withEventServer<T>(
    errors: CapturedErrors = CapturedErrors(),
    app: @escaping Application,
    _ body: (BackgroundServer) throws -> T
) throws -> T {
    var configuration = EventServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.errors = errors
    let running = BackgroundServer(try EventServer(configuration: configuration, app: app))
    defer { running.stop() }
    return try body(running)
}

/// Answers with the environ, one `key=value` line each.
let environApp: Application = { environ, start in
    var lines = environ.variables.map { "\($0.key)=\($0.value)" }
    let body = try environ.input.read()
    lines.append("body=\(String(decoding: body, as: UTF8.self))")
    lines.append("wsgi.multithread=\(environ.multithread)")
    lines.append("wsgi.multiprocess=\(environ.multiprocess)")
    lines.append("wsgi.run_once=\(environ.runOnce)")
    lines.append("wsgi.input_terminated=\(environ.inputTerminated)")
    lines.append("wsgi.url_scheme=\(environ.urlScheme)")
    try start("200 OK", [("Content-Type", "text/plain")])
    return [lines.joined(separator: "\n")]
}

extension TestResponse {
    /// The `key=value` lines of `environApp` as a dictionary.
    var environ: [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }
}

/// Counts close() calls across threads.
final class CloseCounter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

#if canImport(Glibc)
import Glibc
#endif

func usleepMillis(_ milliseconds: Int) { usleep(UInt32(milliseconds * 1000)) }

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw TestClientError.malformed("cannot create \(path)") }
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

func removeFile(_ path: String) { unlink(path) }

