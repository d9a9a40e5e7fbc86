import Gateway

/// One response through ``gzip(_:)``: holds the application's
/// start_response until the body's length is known, decides, and wraps the
/// body in the compressor when it compresses.
final class GzipExchange {
    private let environ: Environ
    private let options: GzipOptions
    private let deferred: DeferredStart
    private let clientTakesGzip: Bool
    /// Set when the head is decided; nil while identity.
    private var deflater: GzipDeflater?

    init(environ: Environ, options: GzipOptions, startResponse: StartResponse) {
        self.environ = environ
        self.options = options
        self.deferred = DeferredStart(startResponse)
        let accept = AcceptEncoding(environ["HTTP_ACCEPT_ENCODING"])
        // gzip unless refused, or identity is named with a higher weight
        // (identity merely acceptable by default states no preference).
        // x-gzip is gzip (RFC 9110 §8.4.1.3): a weight named for either
        // counts, and `*` only when neither is named (`gzip;q=0, *` refuses it).
        let weight = accept.weights["gzip"] ?? accept.weights["x-gzip"] ?? accept.quality(of: "gzip")
        clientTakesGzip = weight > 0 && weight >= (accept.weights["identity"] ?? 0)
    }

    func run(_ app: Application) throws -> any ResponseBody {
        prepare()
        return try shape(try app(environ, deferred.startResponse))
    }

    /// ``run(_:)`` for an async application: the same decisions, the body
    /// compressed as its chunks are awaited.
    func run(_ app: AsyncApplication) async throws -> any ResponseBody {
        prepare()
        return try shape(try await app(environ, deferred.startResponse))
    }

    /// Before the application runs: the decision for a `write()` made before
    /// the body returns (its length unknown then).
    private func prepare() {
        decide(knownLength: nil)
        // weak: the deferred start_response may outlive this exchange (an
        // identity body is returned unwrapped) and must not keep it alive.
        deferred.onWrite = { [weak self] bytes in
            guard let deflater = self?.deflater else { return bytes }
            return try deflater.compress(bytes, flush: true)
        }
    }

    /// After the application returned `body`: the head decided, the body shaped.
    private func shape(_ body: any ResponseBody) throws -> any ResponseBody {
        if deferred.committed {
            return deflater == nil ? body : compressing(body)  // write() was used
        }
        guard deferred.status != nil else {
            // start_response comes with the first chunk (PEP 3333 allows it):
            // pass it on when it comes, compress if it decides so.
            deferred.commitOnStart = true
            return compressing(body)
        }
        do {
            return try respond(with: body)
        } catch {
            body.close()
            throw error
        }
    }

    /// Decides the head now that the body is known, and shapes the body.
    private func respond(with body: any ResponseBody) throws -> any ResponseBody {
        // A body in memory is taken whole: its length is known.
        var held: [[UInt8]]?
        if body.chunkCount != nil, !(body is any AsyncResponseBody) {
            var iterator = body.makeChunkIterator()
            var chunks: [[UInt8]] = []
            while let chunk = try iterator.next() { chunks.append(chunk) }
            held = chunks
        }
        decide(knownLength: held.map { $0.reduce(0) { $0 + $1.count } } ?? (body as? FileWrapper)?.remainingLength)
        try deferred.commit()

        guard let deflater else {
            guard let held else { return body }  // untouched: a FileWrapper stays one (sendfile)
            return BodyWrapper(wrapped: held, keepsChunkCount: true, transform: { $0 }, onClose: body.close)
        }
        if let held {
            // Already in memory: one compressed chunk, sent with its Content-Length.
            var compressed: [UInt8] = []
            for chunk in held { compressed += try deflater.compress(chunk, flush: false) }
            compressed += try deflater.finish()
            body.close()
            return [compressed]
        }
        if environ["REQUEST_METHOD"] == "HEAD" {
            // No body goes out for HEAD; one non-empty chunk keeps the head
            // as GET's (no Content-Length) without compressing the whole body.
            return StreamBody([try deflater.compress([], flush: true)], onClose: body.close)
        }
        return compressing(body)
    }

    /// Installs the decision for the recorded start_response.
    private func decide(knownLength: Int?) {
        deferred.decide = { [weak self] status, headers in
            guard let self else { return (status, headers) }
            var (decided, compress) = gzipHead(status: status, headers: headers, clientTakesGzip: clientTakesGzip,
                                               knownLength: knownLength, options: options)
            if compress, deflater == nil { deflater = try? GzipDeflater(level: options.level) }
            if compress, deflater == nil {
                // zlib could not start (out of memory): send the body as it is.
                (decided, compress) = gzipHead(status: status, headers: headers, clientTakesGzip: false,
                                               knownLength: knownLength, options: options)
            }
            if !compress { deflater = nil }
            return (status, decided)
        }
    }

    /// The body compressed chunk by chunk, a sync flush after each one, so
    /// every chunk is decodable when it arrives; identity while undecided.
    private func compressing(_ body: any ResponseBody) -> any ResponseBody {
        wrapBody(body, transform: { [self] chunk in
            guard let deflater else { return chunk }
            guard let chunk else { return try deflater.finish() }
            return chunk.isEmpty ? [] : try deflater.compress(chunk, flush: true)
        })
    }
}
