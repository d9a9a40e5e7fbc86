import Gateway

/// The probe's async routes, an ``AsyncApplication`` (any method; anything
/// else is 404 `not found\n`):
///
/// - `/async/sleep?ms=N`: awaits `Task.sleep` for N ms (default 100), then `slept`.
/// - `/async/upload`: hashes the body as it arrives and answers
///   `{"length": L, "sha256": "...", "first_chunk": F}`, F being the bytes
///   it held when its first read returned (a body read as it arrives holds a
///   small part of it then; a buffered one, all of it).
/// - `/async/stream?n=N&size=S&ms=M`: N chunks of S bytes (defaults 10 and
///   1024), awaiting M ms (or a `Task.yield()` when 0) between them; with
///   `PROBE_STREAM_LOG` set each chunk is logged (`.`), and its close() (`c`).
///
/// ```sh
/// gateway serve --app probe
/// curl http://127.0.0.1:8000/async/sleep?ms=10
/// ```
public let asyncProbeApp: AsyncApplication = { environ, startResponse in
    let query = QueryParameters(environ["QUERY_STRING"] ?? "")
    switch environ["PATH_INFO"] ?? "" {
    case "/async/sleep":
        let milliseconds = query.int("ms", default: 100, in: 0...600_000)
        try await Task.sleep(for: .milliseconds(milliseconds))
        return try text(startResponse, "slept")
    case "/async/upload":
        var digest = SHA256()
        var length = 0
        var firstChunk: Int?
        for try await chunk in environ.input.chunks {
            if firstChunk == nil { firstChunk = chunk.count }
            digest.update(chunk)
            length += chunk.count
        }
        return try json(startResponse, .object([
            ("first_chunk", .int(firstChunk ?? 0)), ("length", .int(length)), ("sha256", .string(digest.hexDigest())),
        ]))
    case "/async/stream":
        let count = query.int("n", default: 10, in: 0...1_000_000)
        let size = query.int("size", default: 1024, in: 1...(1 << 20))
        let pause = query.int("ms", default: 0, in: 0...60_000)
        try startResponse("200 OK", [("Content-Type", "application/octet-stream")])
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let log = streamLog
        var sent = 0
        return AsyncBody(next: {
            guard sent < count else { return nil }
            if sent > 0 {
                if pause > 0 { try await Task.sleep(for: .milliseconds(pause)) } else { await Task.yield() }
            }
            sent += 1
            log?.record()
            return block
        }, onClose: { log?.record("c") })
    default:
        return try text(startResponse, "not found\n", status: "404 Not Found")
    }
}

/// The probe whole, as `gateway serve --app probe` serves it: its async
/// routes (`/async/...`, ``asyncProbeApp``) in tasks, the rest
/// (``probeApp``) as a synchronous application.
///
/// ```swift
/// let server = try makeServer(host: "127.0.0.1", port: 0, app: probe)
/// ```
public let probe: AnyApplication = .choosing { environ in
    (environ["PATH_INFO"] ?? "").hasPrefix("/async/") ? .async(asyncProbeApp) : .sync(probeApp)
}
