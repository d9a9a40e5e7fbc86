/// Runs an application for one request and owns every PEP 3333 response rule,
/// for every server: wsgiref's `BaseHandler`.
///
/// Servers differ only in how bytes reach the client. A blocking server hands
/// a ``ResponseTransport`` to ``run(_:on:)``; an event-driven one steps the
/// handler itself: ``start(_:)`` for the head, ``nextChunk()`` each time the
/// previous chunk drained, ``finish()`` at the end.
///
/// ```swift
/// let handler = Handler(environ: environ, serverSoftware: "MyServer/1.0")
/// let head = handler.start(app)          // never throws: errors become a 500
/// send(head)
/// while let chunk = try handler.nextChunk() { send(chunk) }
/// handler.finish()                        // calls the body's close()
/// ```
///
/// The rules it enforces: `start_response` exactly once (unless `excInfo`), no
/// body before the headers, headers withheld until the first non-empty chunk,
/// `Content-Length` for bodies of known size, chunked or close-delimited
/// otherwise, no body for HEAD/204/205/304, hop-by-hop headers refused, errors to
/// a 500 before the headers and to a cut connection after, `close()` always.
package final class Handler: ResponseState {
    /// The request's environ, as the application received it.
    @exclusivity(unchecked) package private(set) var environ: Environ
    /// The value of the `Server` header added when the application set none.
    package let serverSoftware: String?

    /// What the application asked for; the handler is that record itself
    /// (one object a request instead of two).
    private var startResponse: ResponseState { self }
    // @exclusivity(unchecked): a handler is used by one thread at a time and
    // never hands out overlapping accesses to its state; the dynamic checks
    // cost more than a thousand instructions a request.
    @exclusivity(unchecked) private var body: (any ResponseBody)?
    @exclusivity(unchecked) private var iterator: (any ChunkIterator)?
    /// An async body's iterator (``AsyncResponseBody``), pulled with `await`.
    @exclusivity(unchecked) private var asyncIterator: (any AsyncChunkIterator)?
    /// `iterator != nil`, kept beside it: testing or clearing the optional
    /// existential itself goes through the runtime (copies and destroys).
    @exclusivity(unchecked) private var iterating = false
    /// Chunks pulled before the head was decided, still to be sent.
    @exclusivity(unchecked) private var pending: [[UInt8]] = []
    @exclusivity(unchecked) private var pendingIndex = 0
    /// The Content-Length of the response and the bytes still owed to it.
    @exclusivity(unchecked) private var announced: Int?
    @exclusivity(unchecked) private(set) var remaining: Int?
    @exclusivity(unchecked) private var sendsBody = true
    @exclusivity(unchecked) private var closed = false

    /// The head decided by ``start(_:)``.
    @exclusivity(unchecked) package private(set) var head: ResponseHead?

    /// The body is a file that the transport may send with sendfile instead
    /// of pulling chunks (see ``takeFile()``).
    package var fileBody: FileWrapper? {
        guard sendsBody, pendingIndex == pending.count, let file = body as? FileWrapper,
              case .contentLength(let length)? = head?.framing,
              remaining == length, file.remainingLength == length
        else { return nil }
        return file
    }

    package init(environ: Environ, serverSoftware: String?) {
        self.environ = environ
        self.serverSoftware = serverSoftware
        super.init()
    }

    /// A handler with no request yet, for a server that gives it each
    /// request with ``reuse(for:)``.
    package convenience init(serverSoftware: String?) {
        self.init(environ: Self.noRequest, serverSoftware: serverSoftware)
    }

    deinit { finish() }

    /// Ends this handler's response for good (``finish()``) and lets go of
    /// its request and body, so that a server can keep the handler for a
    /// later request (``reuse(for:)``) instead of allocating one a request.
    /// Whatever the application kept of this request (its `start_response`,
    /// its `write`) stays tied to it and throws ``GatewayError/responseOver``.
    package func recycle() {
        finish()
        environ = Self.noRequest
        body = nil
        pending = []
        pendingIndex = 0
        announced = nil
        remaining = nil
        head = nil
        clearForNextResponse()
    }

    // What a recycled handler holds instead of its last request. Shared by
    // every thread, and safe as nothing reads a recycled handler's environ
    // (``reuse(for:)`` replaces it first).
    nonisolated(unsafe) private static let noRequest = Environ(input: RequestInput.holding([]))

    /// A recycled handler's next request.
    package func reuse(for environ: consuming Environ) {
        self.environ = environ
        sendsBody = true
        closed = false
    }

    /// The bytes wsgiref answers an application error with.
    package static let errorBody = Array("A server error occurred.  Please contact the administrator.".utf8)

    /// Runs the application and decides the head. Pulls body chunks until the
    /// first non-empty one (PEP 3333: headers wait for body data), so an error
    /// before that still becomes a clean 500 response.
    package func start(_ app: Application) -> ResponseHead {
        precondition(head == nil, "Handler.start called twice")
        do {
            return decided(try runApplication(app))
        } catch {
            return decided(failure: error)
        }
    }

    /// Runs an async application and decides the head: ``start(_:)``
    /// awaited. An ``AsyncResponseBody`` is pulled with `await`, here for
    /// its first chunk and then by ``nextChunk()-4u0qe``.
    package func start(_ app: AsyncApplication) async -> ResponseHead {
        precondition(head == nil, "Handler.start called twice")
        do {
            return decided(try await runApplication(app))
        } catch {
            return decided(failure: error)
        }
    }

    private func decided(_ head: ResponseHead) -> ResponseHead {
        startResponse.headersSent = true
        self.head = head
        return head
    }

    /// The head for an application that failed before its headers went out.
    private func decided(failure error: any Error) -> ResponseHead {
        // A task cancelled because its client left: nobody to tell.
        if !(error is CancellationError) { logError(error) }
        if let error = error as? any RequestError { return decided(errorHead(status: error.status)) }
        return decided(errorHead())
    }

    /// The next chunk to send, `nil` at the end of the body. A throw means the
    /// body failed after the head went out: the transport must cut the
    /// connection (the error is already logged).
    package func nextChunk() throws -> [UInt8]? {
        guard sendsBody else { return nil }
        while true {
            guard let chunk = try takePending() ?? pullNext() else { return nil }
            switch admit(chunk) {
            case .skip: continue
            case .send(let chunk): return chunk
            case .end: return nil
            }
        }
    }

    /// ``nextChunk()-4u0qe`` for a handler started with an async
    /// application: an async body's chunk is awaited.
    package func nextChunk() async throws -> [UInt8]? {
        guard sendsBody else { return nil }
        while true {
            var next = takePending()
            if next == nil { next = try await pullNextAwaiting() }
            guard let chunk = next else { return nil }
            switch admit(chunk) {
            case .skip: continue
            case .send(let chunk): return chunk
            case .end: return nil
            }
        }
    }

    /// A chunk pulled before the head went out, still to be sent.
    private func takePending() -> [UInt8]? {
        guard pendingIndex < pending.count else { return nil }
        defer {
            pending[pendingIndex] = []
            pendingIndex += 1
        }
        return pending[pendingIndex]
    }

    private enum Admission {
        case skip
        case send([UInt8])
        /// The announced length is complete: the body is over.
        case end
    }

    /// Checks a chunk against the Content-Length announced.
    private func admit(_ chunk: [UInt8]) -> Admission {
        if chunk.isEmpty { return .skip }
        guard let left = remaining else { return .send(chunk) }
        var chunk = chunk
        if chunk.count > left {
            // More than Content-Length announced: what the client
            // would read as the next response is dropped.
            environ.errors.write("EventGateway: body longer than its Content-Length for \(environ.requestLine); extra bytes dropped\n")
            chunk.removeLast(chunk.count - left)
        }
        remaining = left - chunk.count
        return chunk.isEmpty ? .end : .send(chunk)
    }

    /// The rest of the body when all of it is in memory already (the
    /// application returned an array, or nothing is to be sent), so the
    /// transport can send the response in one go; nil when it must stream.
    package func takeBufferedBody() -> [[UInt8]]? {
        guard !iterating || !sendsBody else { return nil }
        if sendsBody, pendingIndex == 0, let left = remaining, left == pending.reduce(0, { $0 + $1.count }) {
            // Held whole and exactly as long as announced: nothing to trim.
            pendingIndex = pending.count
            remaining = 0
            return pending
        }
        var chunks: [[UInt8]] = []
        while let chunk = try? nextChunk() { chunks.append(chunk) }
        return chunks
    }

    /// Lets the transport send a ``FileWrapper`` body itself (sendfile);
    /// returns nil when the body is not a file or must be pulled as chunks.
    package func takeFile() -> FileWrapper? {
        guard let file = fileBody else { return nil }
        sendsBody = false
        return file
    }

    /// Ends the response: calls the body's `close()`, exactly once.
    package func finish() {
        guard !closed else { return }
        closed = true
        dropIterator()
        body?.close()
    }

    // MARK: - Deciding the head

    private func runApplication(_ app: Application) throws -> ResponseHead {
        let returned = try app(environ, startResponse.makeStartResponse())
        try accept(returned)
        return try decideHead(for: returned)
    }

    private func runApplication(_ app: AsyncApplication) async throws -> ResponseHead {
        let returned = try await app(environ, startResponse.makeStartResponse())
        guard let stream = returned as? any AsyncResponseBody else {
            try accept(returned)
            return try decideHead(for: returned)
        }
        body = returned
        pending = startResponse.written
        startResponse.written = []
        asyncIterator = stream.makeAsyncChunkIterator()
        iterating = true
        if !startResponse.headersSent {
            // Withhold the head until the first non-empty chunk, or the end.
            while let chunk = try await pullNextAwaiting() {
                pending.append(chunk)
                if !chunk.isEmpty { break }
            }
        }
        return try decideHead(for: returned)
    }

    /// Takes the body a synchronous application returned, pulling what
    /// must be known before the head is decided.
    private func accept(_ returned: any ResponseBody) throws {
        body = returned
        pending = startResponse.written
        startResponse.written = []

        // Byte arrays are taken as they are: no iterator, no copy. (The
        // metatype test first: a failing `as?` on an array walks its elements.)
        if !startResponse.headersSent, type(of: returned) == [[UInt8]].self, let chunks = returned as? [[UInt8]] {
            pending = chunks
        } else {
            iterator = returned.makeChunkIterator()
            iterating = true
        }
        if !iterating || startResponse.headersSent {
            // Held whole already, or write() was used: the headers count as sent.
        } else if returned.chunkCount != nil {
            // An in-memory body: take it all, so its length is known.
            while let chunk = try pullNext() { pending.append(chunk) }
        } else if !(returned is FileWrapper) || startResponse.status == nil {
            // Withhold the head until the first non-empty chunk, or the end.
            while let chunk = try pullNext() {
                pending.append(chunk)
                if !chunk.isEmpty { break }
            }
        }
    }

    /// The head for the application's status and headers and what is known of its body.
    private func decideHead(for returned: any ResponseBody) throws -> ResponseHead {
        guard let status = startResponse.status else { throw GatewayError.startResponseNotCalled }

        var headers = startResponse.headers
        var added = ResponseHead.Added()
        let method = environ.variables["REQUEST_METHOD"] ?? "GET"
        let bodyless = method == "HEAD" || status.code == 204 || status.code == 304
        let framing: BodyFraming
        // The application's Content-Length, which a body held in memory must match.
        var promised: Int?
        if status.code == 204 || status.code == 205 {
            headers.removeAll { $0.0.caseInsensitiveEquals("Content-Length") }
            // A 205 must carry no content (RFC 9110 §15.3.6), but unlike a
            // 204 its framing is read: it says so.
            if status.code == 205 { added.contentLength = "0" }
            framing = .none
        } else if let declared = try Self.declaredLength(in: &headers) {
            guard !declared.isEmpty, declared.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let length = Int(declared)
            else { throw GatewayError.invalidContentLength(declared) }
            if status.code != 304 { promised = length }
            framing = bodyless ? .none : .contentLength(length)
        } else if status.code == 304 {
            framing = .none
        } else if let length = knownLength(of: returned) {
            added.contentLength = DecimalText.of(length)
            framing = bodyless ? .none : .contentLength(length)
        } else if bodyless {
            framing = .none
        } else if environ.variables["SERVER_PROTOCOL"] == "HTTP/1.1" {
            framing = .chunked
        } else {
            framing = .untilClose
        }
        if let length = promised, !iterating, !startResponse.headersSent {
            // A body held whole in memory must match what it announces. A
            // HEAD's may be empty; if it is the GET's body, a length it
            // contradicts is the GET's 500 here as well.
            let held = pending.reduce(0) { $0 + $1.count }
            if held != length && !(method == "HEAD" && held == 0) {
                throw GatewayError.contentLengthMismatch(declared: length, actual: held)
            }
        }
        if case .contentLength(let length) = framing {
            announced = length
            remaining = length
        }
        addServerHeaders(to: &added, besides: headers)
        sendsBody = framing != .none
        return ResponseHead(status: status, headers: headers, added: added, framing: framing)
    }

    /// The application's `Content-Length`, nil when it set none. A repeat
    /// of the same value is dropped (one goes out); two values are an error,
    /// as for a request (RFC 9112 §6.3): the client could not tell where the
    /// body ends.
    private static func declaredLength(in headers: inout [(String, String)]) throws -> String? {
        var declared: String?, repeated = false
        for (name, value) in headers where name.utf8.count == 14 && name.caseInsensitiveEquals("Content-Length") {
            guard let first = declared else {
                declared = value
                continue
            }
            guard value == first else { throw GatewayError.invalidContentLength("\(first), \(value)") }
            repeated = true
        }
        if repeated {
            var seen = false
            headers.removeAll { header in
                guard header.0.caseInsensitiveEquals("Content-Length") else { return false }
                defer { seen = true }
                return seen
            }
        }
        return declared
    }

    /// The body's length when it is known before sending: all of it pulled
    /// already, or a file of known size. Never after write(), whose data
    /// PEP 3333 treats as sent.
    private func knownLength(of returned: any ResponseBody) -> Int? {
        guard !startResponse.headersSent else { return nil }
        if !iterating { return pending.reduce(0) { $0 + $1.count } }
        if pending.isEmpty, let file = returned as? FileWrapper { return file.remainingLength }
        return nil
    }

    /// Pulls the next chunk from the body; drops the iterator at the end.
    /// A body that ends short of its Content-Length is an error.
    private func pullNext() throws -> [UInt8]? {
        guard iterating, var current = iterator else { return nil }
        do {
            let chunk = try current.next()
            iterator = current
            return try pulled(chunk)
        } catch {
            throw pullFailed(error)
        }
    }

    /// Pulls the next chunk, awaiting it from an async body.
    private func pullNextAwaiting() async throws -> [UInt8]? {
        guard iterating, var current = asyncIterator else { return try pullNext() }
        do {
            let chunk = try await current.next()
            asyncIterator = current
            return try pulled(chunk)
        } catch {
            throw pullFailed(error)
        }
    }

    /// A chunk pulled, or the end of the body (short of its Content-Length: an error).
    private func pulled(_ chunk: [UInt8]?) throws -> [UInt8]? {
        if chunk != nil { return chunk }
        dropIterator()
        if let announced, let left = remaining, left > 0 {
            throw GatewayError.bodyShorterThanContentLength(expected: announced, sent: announced - left)
        }
        return nil
    }

    private func pullFailed(_ error: any Error) -> any Error {
        dropIterator()
        if head != nil { logError(error) }
        return error
    }

    private func dropIterator() {
        guard iterating else { return }
        iterator = nil
        asyncIterator = nil
        iterating = false
    }

    /// The response for an error before the headers went out: wsgiref's 500,
    /// or the 4xx of a request that could not be read (then the connection closes).
    private func errorHead(status code: Int = 500) -> ResponseHead {
        finish()
        let reason = ResponseStatus.reasonPhrase(for: code)
        let body = code == 500 ? Self.errorBody : Array(ResponseStatus.plainBody(for: code).utf8)
        pending = [body]
        pendingIndex = 0
        announced = body.count
        remaining = body.count
        var added = ResponseHead.Added()
        added.contentLength = DecimalText.of(body.count)
        addServerHeaders(to: &added, besides: [])
        let bodyless = environ.variables["REQUEST_METHOD"] == "HEAD"
        sendsBody = !bodyless
        return ResponseHead(
            status: ResponseStatus(code: code, reason: reason),
            headers: [("Content-Type", "text/plain; charset=utf-8")], added: added,
            framing: bodyless ? .none : .contentLength(body.count),
            closeConnection: code != 500)
    }

    /// `Date` and `Server`, unless the application set them.
    private func addServerHeaders(to added: inout ResponseHead.Added, besides headers: [(String, String)]) {
        var hasDate = false, hasServer = false
        for (name, _) in headers where name.utf8.count == 4 || name.utf8.count == 6 {
            if name.caseInsensitiveEquals("Date") { hasDate = true }
            if name.caseInsensitiveEquals("Server") { hasServer = true }
        }
        if !hasDate { added.date = HTTPDate.now() }
        if !hasServer { added.server = serverSoftware }
    }

    private func logError(_ error: any Error) {
        environ.errors.write("EventGateway: error in application for \"\(environ.requestLine)\": \(error)\n")
        environ.errors.flush()
    }
}
