import Gateway

/// Undoes a request's `Content-Encoding` (gzip, x-gzip, deflate) before the
/// application reads the body, within ``GzipOptions``' size and ratio caps.
struct RequestDecompression {
    let options: GzipOptions

    /// Replaces the environ's input by the decompressed body; or answers the
    /// request itself (413 past a cap, 400 for corrupt data, 415 for a coding
    /// it does not know) and returns that response's body.
    func apply(coding: String, to environ: inout Environ, _ startResponse: StartResponse) throws -> (any ResponseBody)? {
        let codings = coding.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
        if codings.isEmpty || codings == ["identity"] { return nil }
        guard codings.count == 1, ["gzip", "x-gzip", "deflate"].contains(codings[0]) else {
            return try refuse(415, "Unsupported Media Type", "unsupported content coding\n", startResponse,
                              extra: [("Accept-Encoding", "gzip, deflate")])
        }
        let inflater = try LimitedInflater(maxOutput: options.maxDecompressedBytes, maxRatio: options.maxDecompressionRatio)
        var body: [UInt8] = []
        do {
            while case let piece = try environ.input.read(64 * 1024), !piece.isEmpty {
                body += try inflater.inflate(piece)
            }
            guard inflater.ended else { throw ZlibError.streamError(-3) }
        } catch ZlibError.limitExceeded {
            return try refuse(413, "Content Too Large", "decompressed body too large\n", startResponse)
        } catch is ZlibError {
            return try refuse(400, "Bad Request", "malformed compressed body\n", startResponse)
        }
        environ.input = RequestInput(body)
        environ["HTTP_CONTENT_ENCODING"] = nil
        environ["CONTENT_LENGTH"] = String(body.count)
        return nil
    }

    private func refuse(_ code: Int, _ reason: String, _ text: String, _ startResponse: StartResponse,
                        extra: [(String, String)] = []) throws -> any ResponseBody {
        try startResponse("\(code) \(reason)", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(text.utf8.count)),
        ] + extra)
        return [text]
    }
}
