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
        return self
    }

    /// Runs the application (inline, or on the pool) and starts the response.
    func begin(app: @escaping Application) {
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
        var bytes = reactor.takeScratch()
        // A stopping server closes each connection after its response.
        keepsConnection = ResponseWriter.writeHead(
            head, minorVersion: minorVersion, keepAlive: keepAlive && !reactor.draining, into: &bytes)
        if let chunks = buffered {
            for chunk in chunks { append(chunk, to: &bytes) }
            if chunked { ResponseWriter.writeLastChunk(into: &bytes) }
            connection.write(bytes)
            reactor.returnScratch(bytes)
            return complete()
        }
        connection.write(bytes)
        reactor.returnScratch(bytes)
        if let file = handler.takeFile() {
            sendFile(file)
        } else {
            pullChunk()
        }
    }

    private func append(_ chunk: [UInt8], to bytes: inout [UInt8]) {
        bytesSent += chunk.count
        if chunked { ResponseWriter.writeChunk(chunk, into: &bytes) } else { bytes.append(contentsOf: chunk) }
    }

    /// Asks for the next chunk: at once inline, on a worker with a pool.
    private func pullChunk() {
        guard reactor.settings.pool != nil else {
            return chunkArrived(Result { try handler.nextChunk() })
        }
        workerBusy = true
        let work = UnsafeTransfer((handler, self))
        reactor.submitToPool {
            let (handler, exchange) = work.value
            let result = UnsafeTransfer((exchange, Result { try handler.nextChunk() }))
            exchange.reactor.post({
                let (exchange, chunk) = result.value
                exchange.workerBusy = false
                exchange.chunkArrived(chunk)
            }, otherwise: { result.value.0.abandon() })
        }
    }

    private func chunkArrived(_ result: Result<[UInt8]?, any Error>) {
        guard let connection, !clientGone else { return end() }
        switch result {
        case .success(let chunk?):
            var bytes = reactor.takeScratch()
            append(chunk, to: &bytes)
            awaiting = .chunkDrained
            connection.write(bytes)
            reactor.returnScratch(bytes)
        case .success(nil):
            if chunked {
                var bytes: [UInt8] = []
                ResponseWriter.writeLastChunk(into: &bytes)
                connection.write(bytes)
            }
            complete()
        case .failure:
            abort()
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
        awaiting = .fileSent
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

    /// The body failed after the head went out: the connection is cut, so
    /// the client sees a truncated response rather than a complete-looking one.
    private func abort() {
        let connection = self.connection
        clientGone = true  // logged as cut short
        end()
        connection?.responseAborted()
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
        // A worker still holds the handler: end() runs when its result arrives.
        if !workerBusy { end() }
    }

    /// The loop closed while a worker had the handler (a server closed past
    /// its drain deadline): close the body and let go, touching no libevent
    /// state, which is gone. Runs where the worker's result would have.
    func abandon() {
        guard !finished else { return }
        finished = true
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
