import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Carries one response from a ``Handler`` to evhttp, on the loop thread.
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
    private let request: EvhttpRequest
    private let handler: Handler
    private let server: EventServer
    private let buffer: OpaquePointer
    /// The retain that keeps this exchange alive while libevent holds a pointer to it.
    private var selfReference: Unmanaged<ResponseExchange>?
    private var finished = false
    /// We called `evhttp_send_reply_end`: evhttp owns the request from here.
    private var ended = false

    private init(request: EvhttpRequest, handler: Handler, server: EventServer) {
        self.request = request
        self.handler = handler
        self.server = server
        self.buffer = evbuffer_new()
    }

    deinit { evbuffer_free(buffer) }

    /// Sends `head` and the handler's body for `request`.
    static func send(_ head: ResponseHead, handler: Handler, request: EvhttpRequest, server: EventServer) {
        writeHeaders(head, to: request)
        let code = Int32(head.status.code)
        if let chunks = handler.takeBufferedBody() {
            let scratch = server.scratchBuffer
            for chunk in chunks { chunk.withUnsafeBytes { _ = evbuffer_add(scratch, $0.baseAddress, $0.count) } }
            server.watchCompletion(of: request)
            evhttp_send_reply(request.raw, code, head.status.reason, scratch)
            handler.finish()
            return
        }
        let exchange = ResponseExchange(request: request, handler: handler, server: server)
        exchange.start(code: code, reason: head.status.reason)
    }

    /// Sets the response headers; for a close-delimited body, makes evhttp
    /// close the connection (it would otherwise keep an HTTP/1.0 keep-alive
    /// connection open and announce `Content-Length: 0`).
    private static func writeHeaders(_ head: ResponseHead, to request: EvhttpRequest) {
        let output = request.outputHeaders
        for (name, value) in head.headers { evhttp_add_header(output, name, value) }
        if head.closeConnection {
            evhttp_remove_header(request.inputHeaders, "Connection")
            evhttp_add_header(request.inputHeaders, "Connection", "close")
            evhttp_add_header(output, "Connection", "close")
        }
    }

    private func start(code: Int32, reason: String) {
        let pointer = Unmanaged.passRetained(self)
        selfReference = pointer
        let context = pointer.toOpaque()
        evhttp_request_set_on_complete_cb(request.raw, { _, context in
            ResponseExchange.from(context).complete()
        }, context)
        if let connection = evhttp_request_get_connection(request.raw) {
            evhttp_connection_set_closecb(connection, { _, context in
                ResponseExchange.from(context).connectionClosed()
            }, context)
        }
        evhttp_send_reply_start(request.raw, code, reason)
        if let file = handler.takeFile() {
            sendFile(file)
        } else {
            pump()
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> ResponseExchange {
        Unmanaged<ResponseExchange>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Sends the next chunk, or ends the response.
    private func pump() {
        guard !finished else { return }
        let chunk: [UInt8]?
        do {
            chunk = try handler.nextChunk()
        } catch {
            abort()
            return
        }
        guard let chunk else {
            endReply()
            return
        }
        chunk.withUnsafeBytes { _ = evbuffer_add(buffer, $0.baseAddress, $0.count) }
        let context = selfReference!.toOpaque()
        evhttp_send_reply_chunk_with_cb(request.raw, buffer, { _, context in
            ResponseExchange.from(context).pump()
        }, context)
    }

    /// A file body: handed to libevent, which sends it with sendfile when the
    /// connection drains straight to the socket. libevent owns the duplicate.
    private func sendFile(_ file: FileWrapper) {
        let length = file.remainingLength ?? 0
        let copy = dup(file.descriptor)
        if copy >= 0, length > 0, evbuffer_add_file(buffer, copy, Int64(file.offset), Int64(length)) == 0 {
            file.advance(by: length)
            evhttp_send_reply_chunk_with_cb(request.raw, buffer, { _, context in
                ResponseExchange.from(context).endAfterFile()
            }, selfReference!.toOpaque())
        } else {
            if copy >= 0 { _ = Glibc.close(copy) }
            endReply()
        }
    }

    private func endAfterFile() {
        guard !finished else { return }
        endReply()
    }

    /// Ends the reply; evhttp may complete it at once (see ``complete()``).
    private func endReply() {
        ended = true
        evhttp_send_reply_end(request.raw)
    }

    /// The body failed after the head went out: cut the connection, so the
    /// client sees a truncated response rather than a complete-looking one.
    /// libevent then notices the dead socket and runs the close path.
    private func abort() {
        guard let connection = evhttp_request_get_connection(request.raw),
              let events = evhttp_connection_get_bufferevent(connection)
        else { return }
        _ = shutdown(bufferevent_getfd(events), Int32(SHUT_RDWR))
    }

    /// evhttp finished writing the response.
    private func complete() {
        if let connection = evhttp_request_get_connection(request.raw) {
            evhttp_connection_set_closecb(connection, nil, nil)
        }
        end()
    }

    /// The client went away before the response was done. evhttp has
    /// detached the request; ending it frees it.
    private func connectionClosed() {
        guard !finished else { return }
        finished = true
        handler.finish()
        if !ended { evhttp_send_reply_end(request.raw) }
        server.requestFinished()
        release()
    }

    private func end() {
        guard !finished else { return }
        finished = true
        handler.finish()
        server.requestFinished()
        release()
    }

    private func release() {
        let reference = selfReference
        selfReference = nil
        reference?.release()
    }
}
