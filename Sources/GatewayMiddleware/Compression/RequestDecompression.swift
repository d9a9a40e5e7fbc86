import Gateway

/// Undoes a request's `Content-Encoding` (gzip, x-gzip, deflate) before the
/// application reads the body, within ``GzipOptions``' size and ratio caps.
struct RequestDecompression {
    let options: GzipOptions

    /// Replaces the environ's input by the decompressed body; or answers the
    /// request itself (413 past a cap, 400 for corrupt data, 415 for a coding
    /// it does not know) and returns that response's body.
    func apply(coding: String, to environ: inout Environ, _ startResponse: StartResponse) throws -> (any ResponseBody)? {
        guard let decision = try makeInflater(for: coding) else { return nil }
        guard let inflater = decision else {
            return try refuseCoding(startResponse)
        }
        let input = environ.input
        return try finish(startResponse, &environ) {
            var body: [UInt8] = []
            while case let piece = try input.read(64 * 1024), !piece.isEmpty {
                body += try inflater.inflate(piece)
            }
            return body
        } check: { inflater.ended }
    }

    /// ``apply(coding:to:_:)`` for an async application: the compressed body
    /// is awaited as it arrives.
    func apply(coding: String, to environ: inout Environ, _ startResponse: StartResponse) async throws -> (any ResponseBody)? {
        guard let decision = try makeInflater(for: coding) else { return nil }
        guard let inflater = decision else {
            return try refuseCoding(startResponse)
        }
        var body: [UInt8] = []
        var failure: (any Error)?
        do {
            for try await piece in environ.input.chunks {
                body += try inflater.inflate(piece)
            }
        } catch {
            failure = error
        }
        let inflated = body
        return try finish(startResponse, &environ) {
            if let failure { throw failure }
            return inflated
        } check: { inflater.ended }
    }

    /// nil for no coding at all (the body passes as it is); `.some(nil)` for
    /// a coding not understood; else the inflater to run.
    private func makeInflater(for coding: String) throws -> LimitedInflater?? {
        let codings = coding.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
        if codings.isEmpty || codings == ["identity"] { return nil }
        guard codings.count == 1, ["gzip", "x-gzip", "deflate"].contains(codings[0]) else { return .some(nil) }
        return .some(try LimitedInflater(maxOutput: options.maxDecompressedBytes, maxRatio: options.maxDecompressionRatio))
    }

    private func refuseCoding(_ startResponse: StartResponse) throws -> any ResponseBody {
        try refuse(415, "Unsupported Media Type", "unsupported content coding\n", startResponse,
                   extra: [("Accept-Encoding", "gzip, deflate")])
    }

    /// Runs `inflate` (the whole body decompressed) and installs its result,
    /// or answers a cap or corrupt data.
    private func finish(_ startResponse: StartResponse, _ environ: inout Environ,
                        inflate: () throws -> [UInt8], check ended: () -> Bool) throws -> (any ResponseBody)? {
        let body: [UInt8]
        do {
            body = try inflate()
            guard ended() else { throw ZlibError.streamError(-3) }
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
