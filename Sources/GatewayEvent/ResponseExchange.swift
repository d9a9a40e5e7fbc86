import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Carries one response from a ``Handler`` to a ``ClientConnection``'s
/// output. Its state lives on the loop thread; with a worker pool, the
/// application and the body's chunks run on a worker, and only their
/// results come back to the loop.
///
/// A body held in memory goes out with its head in one write. Any other is
/// streamed: the head, then one chunk at a time, the next pulled only once
/// the output has drained (backpressure), framed as the head says (chunked,
/// Content-Length, or until the close). A ``FileWrapper`` body is handed to
/// libevent, which sends it with sendfile.
final class ResponseExchange {
    // The request's, set anew when a reactor reuses the exchange (and its
    // handler) for a later request: objects a request cost more than the
    // rest of its bookkeeping.
    private let handler: Handler
    private let reactor: Reactor
    @exclusivity(unchecked) private var connection: ClientConnection?
    @exclusivity(unchecked) private var minorVersion = 1
    @exclusivity(unchecked) private var keepAlive = true
    /// A worker is running the application or pulling a chunk.
    @exclusivity(unchecked) private var workerBusy = false
    /// The connection closed before the response was done.
    @exclusivity(unchecked) private var clientGone = false
    @exclusivity(unchecked) private var finished = false
    @exclusivity(unchecked) private var chunked = false
    @exclusivity(unchecked) private var keepsConnection = false
    /// What the output's draining means: the next chunk is due, or a file went out.
    @exclusivity(unchecked) private var awaiting = Awaiting.nothing
    @exclusivity(unchecked) private var status = 0
    @exclusivity(unchecked) private var bytesSent = 0
    @exclusivity(unchecked) private var started = MonotonicClock.seconds()
    /// The application is async: it and its body's chunks run in tasks.
    @exclusivity(unchecked) private(set) var isAsync = false
    /// The task running the application or awaiting a chunk, cancelled
    /// when the client leaves.
    @exclusivity(unchecked) private var task: Task<Void, Never>?
    /// The task is cancelled, and any later one for this response will be.
    @exclusivity(unchecked) private var cancelled = false

    private enum Awaiting {
        case nothing
        case chunkDrained
        case fileSent
    }

    init(handler: Handler, reactor: Reactor) {
        self.handler = handler
        self.reactor = reactor
    }

    /// Takes on a request: its environ, its connection, and whether the
    /// request lets the connection carry another one (``RequestHead/keepAlive``).
    func reuse(environ: consuming Environ, connection: ClientConnection, minorVersion: Int, keepAlive: Bool) -> ResponseExchange {
        handler.reuse(for: consume environ)
        self.connection = connection
        self.minorVersion = minorVersion
        self.keepAlive = keepAlive
        workerBusy = false
        clientGone = false
        finished = false
        chunked = false
        awaiting = .nothing
        status = 0
        bytesSent = 0
        started = MonotonicClock.seconds()
        isAsync = false
        cancelled = false
        task = nil
        return self
    }

    /// The response's head is written.
    var headSent: Bool { status != 0 }

    /// Runs the application (resolved: sync or async) and starts the response.
    func begin(_ app: AnyApplication) {
        switch app {
        case .sync(let app): begin(app: app)
        case .async(let app): begin(app: app)
        case .choosing: begin(app.resolved(for: handler.environ))
        }
    }

    /// Runs an async application in a task of its own; its head, and each
    /// chunk of its body, come back to the loop.
    private func begin(app: @escaping AsyncApplication) {
        connection?.exchange = self
        isAsync = true
        workerBusy = true
        let work = UnsafeTransfer((handler, self))
        task = Task(executorPreference: reactor.executor) {
            let (handler, exchange) = work.value
            let head = await handler.start(app)
            let buffered = handler.takeBufferedBody()
            let result = UnsafeTransfer((exchange, head, buffered))
            exchange.reactor.runOnLoop({
                let (exchange, head, buffered) = result.value
                exchange.workerBusy = false
                exchange.task = nil
                exchange.send(head, buffered: buffered)
            }, otherwise: { result.value.0.abandon() })
        }
    }

    /// Runs the application (inline, or on the pool) and starts the response.
    private func begin(app: @escaping Application) {
        connection?.exchange = self
        guard reactor.settings.pool != nil else {
            let head = handler.start(app)
            send(head, buffered: handler.takeBufferedBody())
            return
        }
        workerBusy = true
        let work = UnsafeTransfer((handler, self))
        reactor.submitToPool(isRequest: true) {
            let (handler, exchange) = work.value
            // A stop past its deadline closed the loop while this waited:
            // nobody is left to answer, so the application is not run.
            guard !exchange.reactor.isClosed else { return exchange.abandon() }
            let head = handler.start(app)
            let buffered = handler.takeBufferedBody()
            let result = UnsafeTransfer((exchange, head, buffered))
            exchange.reactor.post({
                let (exchange, head, buffered) = result.value
                exchange.workerBusy = false
                exchange.send(head, buffered: buffered)
            }, otherwise: { result.value.0.abandon() })
        }
    }

    // MARK: - Sending

    private func send(_ head: ResponseHead, buffered: [[UInt8]]?) {
        guard let connection, !clientGone else { return end() }
        status = head.status.code
        chunked = head.framing == .chunked
        // A stopping server closes each connection after its response.
        let keepAlive = self.keepAlive && !reactor.draining && connection.bodyAllowsKeepAlive
        if let chunks = buffered {
            // A small body goes with the head in one piece; a large one is added as it is.
            if chunks.count == 1 && !chunked && chunks[0].count <= 4096 {
                bytesSent += chunks[0].count
                keepsConnection = connection.writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive, body: chunks[0])
            } else {
                keepsConnection = connection.writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive)
                for chunk in chunks { write(chunk, to: connection) }
                if chunked { connection.write(Self.lastChunk) }
            }
            return complete()
        }
        keepsConnection = connection.writeHead(head, minorVersion: minorVersion, keepAlive: keepAlive)
        if let file = handler.takeFile() {
            sendFile(file)
        } else {
            pullChunk()
        }
    }

    /// Adds one chunk of the body, framed as the head said.
    private func write(_ chunk: [UInt8], to connection: ClientConnection) {
        bytesSent += chunk.count
        guard chunked else { return connection.write(chunk) }
        var line: [UInt8] = []
        ResponseWriter.writeChunkHeader(count: chunk.count, into: &line)
        connection.write(line)
        connection.write(chunk)
        connection.write(ResponseWriter.crlf)
    }

    private static let lastChunk: [UInt8] = {
        var bytes: [UInt8] = []
        ResponseWriter.writeLastChunk(into: &bytes)
        return bytes
    }()

    /// Pulls the body's next chunk: inline, several while the socket takes
    /// them at once (``pullChunksInline()``); on a worker with a pool, one,
    /// the next once its bytes went to the socket.
    private func pullChunk() {
        if isAsync { return awaitChunk() }
        guard reactor.settings.pool != nil else { return pullChunksInline() }
        workerBusy = true
        let work = UnsafeTransfer((handler, self))
        reactor.submitToPool {
            let (handler, exchange) = work.value
            exchange.chunkPulled(Result { try handler.nextChunk() })
        }
    }

    /// An async application's next chunk, awaited in a task.
    private func awaitChunk() {
        workerBusy = true
        let work = UnsafeTransfer((handler, self))
        task = Task(executorPreference: reactor.executor) {
            let (handler, exchange) = work.value
            do {
                exchange.chunkPulled(.success(try await handler.nextChunk()))
            } catch {
                exchange.chunkPulled(.failure(error))
            }
        }
        if cancelled { task?.cancel() }
    }

    /// The client closed (or may have): the application's task is
    /// cancelled, its awaits throw `CancellationError`.
    func cancel() {
        guard isAsync, !cancelled else { return }
        cancelled = true
        task?.cancel()
    }

    /// Off the loop: a chunk pulled by a worker or a task goes to the loop,
    /// and the next is pulled once the socket took it.
    private func chunkPulled(_ chunk: Result<[UInt8]?, any Error>) {
        let result = UnsafeTransfer((self, chunk))
        reactor.runOnLoop({
            let (exchange, chunk) = result.value
            exchange.workerBusy = false
            exchange.task = nil
            if exchange.take(chunk), let connection = exchange.connection {
                if connection.flushOutput() { exchange.pullChunk() } else { exchange.awaiting = .chunkDrained }
            }
        }, otherwise: { result.value.0.abandon() })
    }

    /// Each chunk goes to the socket as soon as it is pulled (a slow
    /// stream's chunks must not wait for the next); while the socket takes
    /// them at once, the next is pulled, up to ``chunksAtOnce`` in one turn
    /// of the loop, so that one response does not keep the others waiting.
    private func pullChunksInline() {
        for turn in 1...Self.chunksAtOnce {
            guard take(Result { try handler.nextChunk() }), let connection else { return }
            if turn < Self.chunksAtOnce && connection.flushOutput() { continue }
            connection.flushOutput(now: turn < Self.chunksAtOnce)
            awaiting = .chunkDrained
            return
        }
    }

    /// Chunks of one response written in one turn of the loop.
    static let chunksAtOnce = 16

    /// Adds a pulled chunk to the output; false when the body is over
    /// (ended, failed, or its client gone) and nothing more is to be pulled.
    private func take(_ result: Result<[UInt8]?, any Error>) -> Bool {
        guard let connection, !clientGone else {
            end()
            return false
        }
        switch result {
        case .success(let chunk?):
            write(chunk, to: connection)
            return true
        case .success(nil):
            if chunked { connection.write(Self.lastChunk) }
            complete()
            return false
        case .failure:
            abort()
            return false
        }
    }

    /// A file body: handed to libevent, which sends it with sendfile (it
    /// owns the duplicate descriptor).
    private func sendFile(_ file: FileWrapper) {
        guard let connection else { return end() }
        let length = file.remainingLength ?? 0
        let copy = length > 0 ? dup(file.descriptor) : -1
        guard copy >= 0, connection.writeFile(copy, offset: file.offset, length: length) else {
            if copy >= 0 { _ = Glibc.close(copy) }
            return length > 0 ? abort() : complete()
        }
        file.advance(by: length)
        bytesSent += length
        if connection.flushOutput() { complete() } else { awaiting = .fileSent }
    }

    /// The connection's output drained: the next chunk is due, or the file went out.
    func outputDrained() {
        let was = awaiting
        awaiting = .nothing
        switch was {
        case .nothing: break
        case .chunkDrained: pullChunk()
        case .fileSent: complete()
        }
    }

    /// The body failed after the head went out: what was written goes out,
    /// then the connection closes, so the client sees a truncated response
    /// rather than a complete-looking one.
    private func abort() {
        let connection = self.connection
        clientGone = true  // logged as cut short
        end()
        connection?.responseWritten(keepOpen: false)
    }

    // MARK: - Ending

    /// Every byte of the response is in the output buffer.
    private func complete() {
        let connection = self.connection
        let keeps = keepsConnection
        end()
        connection?.responseWritten(keepOpen: keeps)
    }

    /// The client went away before the response was done.
    func connectionClosed() {
        guard !finished, !clientGone else { return }
        clientGone = true
        cancel()
        // A worker still holds the handler: end() runs when its result arrives.
        if !workerBusy { end() }
    }

    /// The loop closed while a worker had the handler (a server closed past
    /// its drain deadline): close the body and let go, touching no libevent
    /// state, which is gone. Runs where the worker's result would have.
    func abandon() {
        guard !finished else { return }
        finished = true
        task?.cancel()
        task = nil
        handler.finish()
        connection = nil
    }

    private func end() {
        guard !finished else { return }
        finished = true
        handler.finish()
        if let log = reactor.settings.accessLog {
            log.record(environ: handler.environ, status: clientGone ? 499 : status, bytes: bytesSent)
        }
        reactor.settings.counters.requestFinished(seconds: MonotonicClock.seconds() - started)
        connection = nil
        handler.recycle()
        reactor.keepForReuse(self)
    }
}
