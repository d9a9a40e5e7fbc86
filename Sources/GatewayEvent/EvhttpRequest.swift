import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// A request evhttp handed over: where its body, peer and response
/// headers are. (Its head is read from the relay's parse.) Loop thread only.
struct EvhttpRequest {
    let raw: UnsafeMutablePointer<evhttp_request>

    /// Makes evhttp close the connection after this response (and say so).
    func forceClose() {
        evhttp_remove_header(inputHeaders, "Connection")
        evhttp_add_header(inputHeaders, "Connection", "close")
        evhttp_remove_header(outputHeaders, "Connection")
        evhttp_add_header(outputHeaders, "Connection", "close")
    }

    /// Called after each call that writes this request's response: evhttp
    /// keeps reading while it writes, to notice a client that goes, and
    /// takes a half-close (the client's FIN right after its request) for
    /// one, cutting the response short where RFC 9112 §9.6 has the server
    /// finish it. So reading stops until the response is out; a client
    /// really gone makes a write fail, and a FIN is read after the response
    /// (and any pipelined request before it) as the connection's end.
    func holdReadingWhileWriting() {
        if let events { bufferevent_disable(events, Int16(EV_READ)) }
    }

    /// The connection's bufferevent; nil once evhttp detached the request.
    var events: OpaquePointer? {
        evhttp_request_get_connection(raw).flatMap(evhttp_connection_get_bufferevent)
    }

    var inputHeaders: UnsafeMutablePointer<evkeyvalq> { evhttp_request_get_input_headers(raw) }
    var outputHeaders: UnsafeMutablePointer<evkeyvalq> { evhttp_request_get_output_headers(raw) }

    /// The peer's address and port.
    var peer: (host: String, port: Int) {
        guard let connection = evhttp_request_get_connection(raw) else { return ("", 0) }
        return peerAddress(of: connection)
    }

    /// The whole request body (evhttp has buffered it before the callback).
    func takeBody() -> [UInt8] {
        guard let buffer = evhttp_request_get_input_buffer(raw) else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { bytes, count in
            count = Int(evbuffer_remove(buffer, bytes.baseAddress, length))
            if count < 0 { count = 0 }
        }
    }
}
