import CLibEvent
import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Carries one response from a ``Handler`` to evhttp. Its state lives on the
/// loop thread; with a worker pool, the application and the body's chunks
/// run on a worker, and only their results come back to the loop.
///
/// A body held in memory goes out with one `evhttp_send_reply`. Any other is
/// streamed: `evhttp_send_reply_start`, then one chunk at a time with
/// `evhttp_send_reply_chunk_with_cb`, pulling the next chunk only when the
/// previous one drained (backpressure), then `evhttp_send_reply_end`.
///
/// evhttp 2.1 leaves three things to us here: HEAD/204/304 must get no body
/// (it would send one), a client that vanishes fires none of the chunk
/// callbacks (we watch the connection's close callback), and a detached
/// request still needs `evhttp_send_reply_end` or it leaks.
final class ResponseExchange {
    // The request's, set anew when a reactor reuses the exchange (and its
    // handler) for a later request: objects a request cost more than the
    // rest of its bookkeeping.
    @exclusivity(unchecked) private var request: EvhttpRequest
    private let handler: Handler
    private let reactor: Reactor
    /// The connection's slot: tells us when the client goes, hears when we are done.
    @exclusivity(unchecked) private var connection: ConnectionSlot?
    @exclusivity(unchecked) private var keepAlive: Bool
    /// The streamed body's buffer, kept for the next streamed response.
    private var buffer: OpaquePointer?
    /// The retain that keeps this exchange alive while libevent holds a pointer to it.
    private var selfReference: Unmanaged<ResponseExchange>?
    private var context: UnsafeMutableRawPointer { selfReference!.toOpaque() }
    /// A worker is running the application or pulling a chunk.
    private var workerBusy = false
    /// The client went away; evhttp has detached (or freed) the request.
    private var clientGone = false
    /// We called `evhttp_send_reply_end` (or sent the reply whole): evhttp owns the request.
    private var replied = false
    private var finished = false
    private var status = 0
    private var bytesSent = 0
    @exclusivity(unchecked) private var started = MonotonicClock.seconds()

    /// `keepAlive`: the request lets the connection carry another one
    /// (``RequestHead/keepAlive``); when it does not, the response says
    /// `Connection: close`, as the socket server's does.
    init(request: EvhttpRequest, handler: Handler, reactor: Reactor, connection: ConnectionSlot?, keepAlive: Bool) {
        self.request = request
        self.keepAlive = keepAlive
        self.handler = handler
        self.reactor = reactor
        self.connection = connection
    }

    /// A finished exchange, recycled by its reactor, takes on `request`.
    func reuse(request: EvhttpRequest, environ: consuming Environ, connection: ConnectionSlot?, keepAlive: Bool) -> ResponseExchange {
        self.request = request
        self.connection = connection
        self.keepAlive = keepAlive
        handler.reuse(for: consume environ)
        workerBusy = false
        clientGone = false
        replied = false
        finished = false
        status = 0
        bytesSent = 0
        started = MonotonicClock.seconds()
        return self
    }

    deinit { if let buffer { evbuffer_free(buffer) } }

    /// Runs the application (inline, or on the pool) and starts the response.
    func begin(app: @escaping Application) {
        selfReference = Unmanaged.passRetained(self)
        evhttp_request_set_on_complete_cb(request.raw, { _, context in
            ResponseExchange.from(context).completed()
        }, context)
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

    private static func from(_ context: UnsafeMutableRawPointer?) -> ResponseExchange {
        Unmanaged<ResponseExchange>.fromOpaque(context!).takeUnretainedValue()
    }

    // MARK: - Sending

    private func send(_ head: ResponseHead, buffered: [[UInt8]]?) {
        guard !clientGone else { return end() }
        status = head.status.code
        let output = request.outputHeaders
        head.forEachHeader { output.add($0, $1) }
        // A close-delimited body, or a request that could not be read to its
        // end: evhttp would keep the connection (and, for an HTTP/1.0
        // keep-alive request, announce `Content-Length: 0`).
        // A draining server closes each connection after its response.
        // An HTTP/1.0 request without keep-alive: evhttp closes, but would not say so.
        if head.closeConnection || reactor.draining || !keepAlive { request.forceClose() }
        let code = Int32(head.status.code)
        if let chunks = buffered {
            let scratch = reactor.scratchBuffer
            for chunk in chunks {
                bytesSent += chunk.count
                chunk.withUnsafeBytes { _ = evbuffer_add(scratch, $0.baseAddress, $0.count) }
            }
            replied = true
            head.status.reason.withCString { evhttp_send_reply(request.raw, code, $0, scratch) }
            request.holdReadingWhileWriting()
            return
        }
        if buffer == nil { buffer = evbuffer_new() }
        head.status.reason.withCString { evhttp_send_reply_start(request.raw, code, $0) }
        request.holdReadingWhileWriting()
        if let file = handler.takeFile() {
            sendFile(file)
        } else {
            pullChunk()
        }
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
        guard !clientGone else { return end() }
        switch result {
        case .success(let chunk?):
            bytesSent += chunk.count
            chunk.withUnsafeBytes { _ = evbuffer_add(buffer, $0.baseAddress, $0.count) }
            evhttp_send_reply_chunk_with_cb(request.raw, buffer, { _, context in
                ResponseExchange.from(context).pullChunk()
            }, context)
            request.holdReadingWhileWriting()
        case .success(nil):
            endReply()
        case .failure:
            abort()
        }
    }

    /// A file body: handed to libevent, which sends it with sendfile when the
    /// connection drains straight to the socket. libevent owns the duplicate.
    private func sendFile(_ file: FileWrapper) {
        let length = file.remainingLength ?? 0
        let copy = dup(file.descriptor)
        if copy >= 0, length > 0, evbuffer_add_file(buffer, copy, Int64(file.offset), Int64(length)) == 0 {
            file.advance(by: length)
            bytesSent += length
            evhttp_send_reply_chunk_with_cb(request.raw, buffer, { _, context in
                let exchange = ResponseExchange.from(context)
                if !exchange.clientGone { exchange.endReply() }
            }, context)
            request.holdReadingWhileWriting()
        } else {
            if copy >= 0 { _ = Glibc.close(copy) }
            endReply()
        }
    }

    /// Ends the reply; evhttp may complete it at once (see ``completed()``).
    private func endReply() {
        replied = true
        evhttp_send_reply_end(request.raw)
        // Done at once (all written already) or later: until then, as above.
        if !finished { request.holdReadingWhileWriting() }
    }

    /// The body failed after the head went out: cut the connection, so the
    /// client sees a truncated response rather than a complete-looking one.
    /// libevent then notices the dead socket and runs the close path.
    private func abort() {
        guard let events = request.events else { return }
        _ = shutdown(bufferevent_getfd(events), Int32(SHUT_RDWR))
        bufferevent_enable(events, Int16(EV_READ))  // held while writing: the read sees the end
    }

    // MARK: - Ending

    /// evhttp finished writing the response (and frees the request): nothing
    /// of libevent's points here any more, so the reactor may reuse us.
    private func completed() {
        connection?.responseCompleted()
        end(recycling: true)
    }

    /// The client went away before the response was done. evhttp has
    /// detached the request unless we had replied; ending it frees it.
    func connectionClosed() {
        guard !finished, !clientGone else { return }
        clientGone = true
        // A detached request is ours to free; one still on its connection is
        // freed with the connection (server shutdown).
        if !replied && evhttp_request_get_connection(request.raw) == nil { evhttp_send_reply_end(request.raw) }
        // A worker still holds the handler: end() runs when its result arrives.
        if !workerBusy { end() }
    }

    /// The loop closed while a worker had the handler (a server closed past
    /// its drain deadline): close the body and let go, touching no evhttp
    /// state, which is gone. Runs where the worker's result would have.
    func abandon() {
        guard !finished else { return }
        finished = true
        handler.finish()
        let reference = selfReference
        selfReference = nil
        reference?.release()
    }

    private func end(recycling: Bool = false) {
        guard !finished else { return }
        finished = true
        handler.finish()
        if let log = reactor.settings.accessLog {
            log.record(environ: handler.environ, status: clientGone ? 499 : status, bytes: bytesSent)
        }
        reactor.responseFinished(startedAt: started)
        if recycling {
            handler.recycle()
            connection = nil
            // Empty after a streamed response (evhttp takes each chunk's
            // bytes), unless evhttp refused one: kept empty for the next.
            if let buffer, evbuffer_get_length(buffer) > 0 { evbuffer_drain(buffer, evbuffer_get_length(buffer)) }
            reactor.keepForReuse(self)
        }
        let reference = selfReference
        selfReference = nil
        reference?.release()
    }
}

extension UnsafeMutablePointer<evkeyvalq> {
    /// Adds a header. `withCString` keeps short strings on the stack, where
    /// passing a String as `const char *` copies it to the heap.
    func add(_ name: String, _ value: String) {
        name.withCString { name in value.withCString { _ = evhttp_add_header(self, name, $0) } }
    }
}
