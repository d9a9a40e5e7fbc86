import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The probe application: fixed routes that exercise every part of the
/// gateway contract, identical on every server of the package and to the
/// Python reference in `shared/reference/probe_app.py`. Integration tests,
/// the conformance suite and the benchmarks drive servers through it.
///
/// ```sh
/// gateway serve --app probe
/// curl -i http://127.0.0.1:8000/hello
/// ```
///
/// Routes (any method unless noted; anything else is 404 `not found\n`):
/// `/hello`, `/environ[/...]`, `/stream?chunks=N&size=S`, `/write?chunks=N`,
/// `/error`, `/error-after-start`, `/sleep?ms=N`, `/file?size=N`,
/// `/status?code=NNN`, `/headers?n=K`, `POST /upload`. The async routes
/// are ``asyncProbeApp``'s; ``probe`` serves both.
/// With `PROBE_STREAM_LOG` set, `/stream` logs each chunk it produces (``CallLog``).
public let probeApp: Application = { environ, startResponse in
    let path = environ["PATH_INFO"] ?? ""
    if path == "/hello" {
        // From constants, as the benchmarks' C and bjoern hellos answer: what
        // /hello measures is the server.
        try startResponse("200 OK", helloHeaders)
        return helloBody
    }
    if path == "/environ" || path.hasPrefix("/environ/") { return try environReport(environ, startResponse) }
    let query = QueryParameters(environ["QUERY_STRING"] ?? "")

    switch path {
    case "/stream":
        let chunks = query.int("chunks", default: 10, in: 0...100_000)
        let size = query.int("size", default: 1024, in: 1...(1 << 20))
        try startResponse("200 OK", [("Content-Type", "application/octet-stream")])
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        var sent = 0
        return StreamBody(next: {
            guard sent < chunks else { return nil }
            sent += 1
            streamLog?.record()
            return block
        })
    case "/write":
        let chunks = query.int("chunks", default: 10, in: 0...100_000)
        let write = try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        for index in 0..<chunks { try write("line \(index)\n") }
        return [String]()
    case "/error":
        throw ProbeError("probe-error-marker: intentional failure before start_response")
    case "/error-after-start":
        try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        var step = 0
        return StreamBody(next: {
            step += 1
            if step == 1 { return Array("partial".utf8) }
            throw ProbeError("probe-error-marker: intentional failure after first chunk")
        })
    case "/sleep":
        let milliseconds = query.int("ms", default: 100, in: 0...10_000)
        usleep(UInt32(milliseconds) * 1000)
        return try text(startResponse, "slept")
    case "/file":
        let size = query.int("size", default: 1024, in: 0...200_000_000)
        let file = try temporaryFile(of: size)
        try startResponse("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", String(size))])
        return file
    case "/status":
        let code = query.int("code", default: 200, in: 200...599)
        let status = "\(code) \(ResponseStatus.reasonPhrase(for: code))"
        if code == 204 || code == 304 {
            try startResponse(status, [])
            return [String]()
        }
        return try text(startResponse, "status \(code)\n", status: status)
    case "/headers":
        let count = query.int("n", default: 10, in: 0...1000)
        var extra = (0..<count).map { ("X-Test-\($0)", "value-\($0)") }
        extra += [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")]
        return try text(startResponse, "headers\n", extra: extra)
    case "/upload":
        guard environ["REQUEST_METHOD"] == "POST" else {
            return try text(startResponse, "method not allowed\n", status: "405 Method Not Allowed", extra: [("Allow", "POST")])
        }
        let (length, digest) = try readBody(environ)
        return try json(startResponse, .object([("length", .int(length)), ("sha256", .string(digest))]))
    default:
        return try text(startResponse, "not found\n", status: "404 Not Found")
    }
}

/// Where `/stream` logs its chunks, if anywhere.
let streamLog = CallLog.streamFromEnvironment

private let helloBody: [[UInt8]] = [Array("Hello, World!".utf8)]
private let helloHeaders = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "13")]

/// The error the probe's failing routes throw.
public struct ProbeError: Error, CustomStringConvertible {
    /// The failure, with the marker the probe's tests look for.
    public let description: String
    init(_ description: String) { self.description = description }
}

func text(
    _ startResponse: StartResponse, _ body: String, status: String = "200 OK", extra: [(String, String)] = []
) throws -> any ResponseBody {
    let bytes = Array(body.utf8)
    try startResponse(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(bytes.count))] + extra)
    return [bytes]
}

func json(_ startResponse: StartResponse, _ value: JSONValue) throws -> any ResponseBody {
    let bytes = Array(value.text.utf8)
    try startResponse("200 OK", [("Content-Type", "application/json"), ("Content-Length", String(bytes.count))])
    return [bytes]
}

private func environReport(_ environ: Environ, _ startResponse: StartResponse) throws -> any ResponseBody {
    var members: [(String, JSONValue)] = environ.variables.map { ($0.key, .string($0.value)) }
    members.append(("wsgi.url_scheme", .string(environ.urlScheme)))
    members.append(("wsgi.version", .array([.int(environ.version.major), .int(environ.version.minor)])))
    members.append(("wsgi.multithread", .bool(environ.multithread)))
    members.append(("wsgi.multiprocess", .bool(environ.multiprocess)))
    members.append(("wsgi.run_once", .bool(environ.runOnce)))
    members.append(("wsgi.input_terminated", .bool(environ.inputTerminated)))
    let (length, digest) = try readBody(environ)
    members.append(("body_length", .int(length)))
    members.append(("body_sha256", .string(digest)))
    members.sort { $0.0 < $1.0 }
    return try json(startResponse, .object(members))
}

/// Reads the body by the probe's rule: exactly CONTENT_LENGTH bytes when it
/// is a number, else to the end when the input is terminated, else nothing.
private func readBody(_ environ: Environ) throws -> (Int, String) {
    let block = 64 * 1024
    var digest = SHA256()
    var total = 0
    let declared = (environ["CONTENT_LENGTH"] ?? "").filter { $0 != " " }
    if !declared.isEmpty, declared.allSatisfy(\.isASCII), let length = Int(declared), length >= 0 {
        var remaining = length
        while remaining > 0 {
            let data = try environ.input.read(min(block, remaining))
            if data.isEmpty { break }
            digest.update(data)
            total += data.count
            remaining -= data.count
        }
    } else if environ.inputTerminated {
        while case let data = try environ.input.read(block), !data.isEmpty {
            digest.update(data)
            total += data.count
        }
    }
    return (total, digest.hexDigest())
}

/// A file of `size` bytes of "f", already unlinked: it vanishes when closed.
private func temporaryFile(of size: Int) throws -> FileWrapper {
    var template = Array(("/tmp/eventgateway-probe-" + String(repeating: "X", count: 6)).utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw ProbeError("cannot create a temporary file (errno \(errno))") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    let block = [UInt8](repeating: UInt8(ascii: "f"), count: 1 << 20)
    var left = size
    while left > 0 {
        let count = min(left, block.count)
        let written = block.withUnsafeBytes { write(fd, $0.baseAddress, count) }
        guard written > 0 else {
            close(fd)
            throw ProbeError("cannot write the temporary file (errno \(errno))")
        }
        left -= written
    }
    lseek(fd, 0, SEEK_SET)
    return FileWrapper(descriptor: fd, blockSize: 64 * 1024)
}

/// parse_qs, as much as the probe needs: the first value of each key.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: String) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(parts[0].replacingPlus())
            if values[key] == nil { values[key] = parts.count > 1 ? percentDecode(parts[1].replacingPlus()) : "" }
        }
    }

    /// An integer parameter clamped to `range`; `fallback` when absent or not a number.
    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) -> Int {
        let value = values[name].flatMap { Int($0.filter { $0 != " " }) } ?? fallback
        return min(max(value, range.lowerBound), range.upperBound)
    }
}

extension Substring {
    fileprivate func replacingPlus() -> String { String(map { $0 == "+" ? " " : $0 }) }
}
