import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// A request as evhttp parsed it, read into the gateway's terms. Loop thread only.
struct EvhttpRequest {
    let raw: UnsafeMutablePointer<evhttp_request>

    var method: String {
        let command = evhttp_request_get_command(raw)
        switch command {
        case EVHTTP_REQ_GET: return "GET"
        case EVHTTP_REQ_POST: return "POST"
        case EVHTTP_REQ_HEAD: return "HEAD"
        case EVHTTP_REQ_PUT: return "PUT"
        case EVHTTP_REQ_DELETE: return "DELETE"
        case EVHTTP_REQ_OPTIONS: return "OPTIONS"
        case EVHTTP_REQ_TRACE: return "TRACE"
        case EVHTTP_REQ_CONNECT: return "CONNECT"
        case EVHTTP_REQ_PATCH: return "PATCH"
        default: return "GET"
        }
    }

    /// "HTTP/1.1", as the client sent it.
    var protocolName: String {
        let major = eg_request_major(raw), minor = eg_request_minor(raw)
        if major == 1 { return minor == 1 ? "HTTP/1.1" : minor == 0 ? "HTTP/1.0" : "HTTP/1.\(minor)" }
        return "HTTP/\(major).\(minor)"
    }

    var target: String {
        guard let uri = evhttp_request_get_uri(raw) else { return "/" }
        return String(cString: uri)
    }

    /// Bytes in the request target, without copying it.
    var targetLength: Int {
        guard let uri = evhttp_request_get_uri(raw) else { return 0 }
        return strlen(uri)
    }

    /// Makes evhttp close the connection after this response (and say so).
    func forceClose() {
        evhttp_remove_header(inputHeaders, "Connection")
        evhttp_add_header(inputHeaders, "Connection", "close")
        evhttp_remove_header(outputHeaders, "Connection")
        evhttp_add_header(outputHeaders, "Connection", "close")
    }

    var inputHeaders: UnsafeMutablePointer<evkeyvalq> { evhttp_request_get_input_headers(raw) }
    var outputHeaders: UnsafeMutablePointer<evkeyvalq> { evhttp_request_get_output_headers(raw) }

    /// Calls `body` with every request header, in the order received.
    func forEachHeader(_ body: (UnsafePointer<CChar>, UnsafePointer<CChar>) -> Void) {
        var entry = eg_headers_first(inputHeaders)
        while let kv = entry {
            if let key = kv.pointee.key, let value = kv.pointee.value { body(key, value) }
            entry = eg_headers_next(kv)
        }
    }

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

/// The address and port of a connection's client.
func peerAddress(of connection: OpaquePointer) -> (host: String, port: Int) {
    var host: UnsafeMutablePointer<CChar>?
    var port: UInt16 = 0
    evhttp_connection_get_peer(connection, &host, &port)
    return (host.map { String(cString: $0) } ?? "", Int(port))
}

/// The headers of a response the server sends itself when it refuses a
/// request (besides `Content-Length` and `Connection: close`).
func refusalHeaders(serverSoftware: String) -> [(String, String)] {
    [("Content-Type", "text/plain; charset=utf-8"), ("Date", HTTPDate.now()), ("Server", serverSoftware)]
}
