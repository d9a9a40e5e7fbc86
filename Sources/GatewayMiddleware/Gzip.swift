import Gateway

/// The response header an application sets to keep one response from being
/// compressed, e.g. a page that reflects user input next to a secret (the
/// BREACH attack reads secrets from compressed sizes). The middleware removes
/// it before the response goes out. `Cache-Control: no-transform` works too.
///
/// ```swift
/// try startResponse("200 OK", [("Content-Type", "text/html"), (gzipOptOutHeader, "1")])
/// ```
public let gzipOptOutHeader = "X-No-Compression"

/// Compresses responses with gzip when the client accepts it (RFC 9110
/// §12.5.3 negotiation), and optionally decompresses request bodies.
///
/// Compressed: statuses 200–203, 403 and 404 whose `Content-Type` is in
/// ``GzipOptions/compressibleTypes``, without a `Content-Encoding` already,
/// and at least ``GzipOptions/minimumLength`` bytes when the length is known.
/// `Content-Length` and `Accept-Ranges` are dropped, a strong `ETag` becomes
/// weak; streamed bodies are compressed chunk by chunk with a sync flush, so
/// nothing is buffered and the server's backpressure still holds. Every
/// response that could have been compressed carries `Vary: Accept-Encoding`.
///
/// ```swift
/// let app = gzip()(staticFiles(root: "/srv/www")(notFoundApp))
/// ```
public func gzip(_ options: GzipOptions = GzipOptions()) -> Middleware {
    return { app in
        { environ, startResponse in
            var environ = environ
            if options.decompressRequests, let coding = environ["HTTP_CONTENT_ENCODING"] {
                if let refusal = try RequestDecompression(options: options).apply(coding: coding, to: &environ, startResponse) {
                    return refusal
                }
            }
            let accept = AcceptEncoding(environ["HTTP_ACCEPT_ENCODING"])
            // gzip unless refused, or identity is named with a higher weight
            // (identity merely acceptable by default states no preference).
            let gzipWeight = max(accept.quality(of: "gzip"), accept.quality(of: "x-gzip"))
            let clientTakesGzip = gzipWeight > 0 && gzipWeight >= (accept.weights["identity"] ?? 0)
            let method = environ["REQUEST_METHOD"] ?? "GET"

            let deferred = DeferredStart(startResponse)
            let state = GzipState()
            let decide = { (knownLength: Int?) in
                deferred.decide = { status, headers in
                    var (decided, compress) = gzipHead(
                        status: status, headers: headers, clientTakesGzip: clientTakesGzip,
                        knownLength: knownLength, options: options)
                    if compress, state.deflater == nil { state.deflater = try? GzipDeflater(level: options.level) }
                    if compress, state.deflater == nil {
                        // zlib could not start (memory): send the body as it is.
                        (decided, compress) = gzipHead(
                            status: status, headers: headers, clientTakesGzip: false,
                            knownLength: knownLength, options: options)
                    }
                    state.compressing = compress
                    return (status, decided)
                }
            }
            decide(nil)  // write() before the body returns: length unknown
            deferred.onWrite = { bytes in
                guard state.compressing, let deflater = state.deflater else { return bytes }
                return try deflater.compress(bytes, flush: true)
            }
            var body = try app(environ, deferred.startResponse)
            if deferred.committed {
                return state.compressing ? compressedStream(body, state.deflater!) : body
            }
            guard deferred.status != nil else {
                // start_response comes with the first chunk (PEP 3333 allows
                // it): pass it on when it comes; compress if it decides so.
                deferred.commitOnStart = true
                return BodyWrapper(wrapped: body, transform: { chunk in
                    guard state.compressing, let deflater = state.deflater else { return chunk }
                    guard let chunk else { return try deflater.finish() }
                    return chunk.isEmpty ? [] : try deflater.compress(chunk, flush: true)
                })
            }

            // An in-memory body: take it whole, its length is known.
            var held: [[UInt8]]?
            if body.chunkCount != nil {
                var iterator = body.makeChunkIterator()
                var chunks: [[UInt8]] = []
                do {
                    while let chunk = try iterator.next() { chunks.append(chunk) }
                } catch {
                    body.close()
                    throw error
                }
                held = chunks
            }
            let knownLength = held.map { $0.reduce(0) { $0 + $1.count } } ?? (body as? FileWrapper)?.remainingLength
            decide(knownLength)
            try deferred.commit()
            guard state.compressing, let deflater = state.deflater else {
                if let held {
                    let original = body
                    body = BodyWrapper(wrapped: held, keepsChunkCount: true, transform: { $0 }, onClose: original.close)
                }
                return body
            }
            if let held {
                // Already in memory: one compressed chunk, sent with a Content-Length.
                var compressed: [UInt8] = []
                for chunk in held { compressed += try deflater.compress(chunk, flush: false) }
                compressed += try deflater.finish()
                body.close()
                return [compressed]
            }
            if method == "HEAD" {
                // The server sends no body for HEAD; one non-empty chunk keeps
                // the head as GET's (no Content-Length) without compressing it all.
                let original = body
                return StreamBody([try deflater.compress([], flush: true)], onClose: original.close)
            }
            return compressedStream(body, deflater)
        }
    }
}

/// The body compressed chunk by chunk, a sync flush after each one.
private func compressedStream(_ body: any ResponseBody, _ deflater: GzipDeflater) -> any ResponseBody {
    BodyWrapper(wrapped: body, transform: { chunk in
        guard let chunk else { return try deflater.finish() }
        return chunk.isEmpty ? [] : try deflater.compress(chunk, flush: true)
    })
}

/// What the middleware decided for one response.
private final class GzipState {
    var compressing = false
    var deflater: GzipDeflater?
}

/// The response head after negotiation, and whether to compress the body.
func gzipHead(
    status: String, headers: [(String, String)], clientTakesGzip: Bool, knownLength: Int?, options: GzipOptions
) -> (headers: [(String, String)], compress: Bool) {
    var headers = Headers(headers)
    let code = Int(status.prefix(3)) ?? 0
    let optedOut = headers.contains(gzipOptOutHeader)
        || headers.getAll("Cache-Control").contains { $0.lowercased().contains("no-transform") }
    let eligible = [200, 201, 202, 203, 403, 404].contains(code)
        && !optedOut
        && !headers.contains("Content-Encoding")
        && options.isCompressible(contentType: headers["Content-Type"] ?? "")
    headers.remove(gzipOptOutHeader)
    if code == 304, !optedOut, !headers.contains("Content-Encoding") {
        addVary(&headers)  // as the 200 it stands for would say
    }
    guard eligible else { return (headers.items, false) }
    addVary(&headers)
    let length = headers["Content-Length"].flatMap { Int($0) } ?? knownLength
    guard clientTakesGzip, length.map({ $0 >= options.minimumLength }) ?? true else { return (headers.items, false) }
    headers.remove("Content-Length")
    headers.remove("Accept-Ranges")
    if let etag = headers["ETag"], !etag.hasPrefix("W/") { headers["ETag"] = "W/" + etag }
    headers["Content-Encoding"] = "gzip"
    return (headers.items, true)
}

/// Adds `Accept-Encoding` to `Vary` unless it (or `*`) is there already.
private func addVary(_ headers: inout Headers) {
    let existing = headers.getAll("Vary")
    let names = existing.flatMap { $0.split(separator: ",").map { $0.trimmingWhitespace().lowercased() } }
    guard !names.contains("accept-encoding"), !names.contains("*") else { return }
    headers["Vary"] = (existing + ["Accept-Encoding"]).joined(separator: ", ")
}
