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
/// A client that refuses both gzip and identity gets identity, which RFC 9110
/// §12.5.3 allows (rather than a 406).
///
/// ```swift
/// let app = gzip()(staticFiles(root: "/srv/www")(notFoundApp))
/// let api = gzip()(asyncAPI)   // an AsyncApplication: its body compressed as it is awaited
/// ```
public func gzip(_ options: GzipOptions = GzipOptions()) -> Middleware {
    Middleware(sync: { app in
        { environ, startResponse in
            var environ = environ
            if options.decompressRequests, let coding = environ["HTTP_CONTENT_ENCODING"] {
                if let refusal = try RequestDecompression(options: options).apply(coding: coding, to: &environ, startResponse) {
                    return refusal
                }
            }
            return try GzipExchange(environ: environ, options: options, startResponse: startResponse).run(app)
        }
    }, async: { app in
        { environ, startResponse in
            var environ = environ
            if options.decompressRequests, let coding = environ["HTTP_CONTENT_ENCODING"] {
                if let refusal = try await RequestDecompression(options: options).apply(coding: coding, to: &environ, startResponse) {
                    return refusal
                }
            }
            return try await GzipExchange(environ: environ, options: options, startResponse: startResponse).run(app)
        }
    })
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
