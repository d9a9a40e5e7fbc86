import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Builds PEP 3333's environ from an evhttp request.
struct EnvironBuilder {
    /// SERVER_NAME and SERVER_PORT, the same for every request of a server.
    let serverName: String
    let serverPort: String
    let multithread: Bool
    let multiprocess: Bool
    let errors: any ErrorOutput

    func environ(for request: EvhttpRequest) -> Environ {
        let target = RequestTarget(request.target)
        let peer = request.peer
        var variables: [String: String] = [
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": target.path,
            "QUERY_STRING": target.query,
            "SERVER_NAME": serverName,
            "SERVER_PORT": serverPort,
            "SERVER_PROTOCOL": request.protocolName,
            "REMOTE_ADDR": peer.host,
            "REMOTE_PORT": String(peer.port),
        ]
        variables.reserveCapacity(24)
        request.forEachHeader { key, value in
            guard let name = cgiName(forHeader: key) else { return }
            let text = String(cString: value)
            if let previous = variables[name] {
                variables[name] = previous + ", " + text
            } else {
                variables[name] = text
            }
        }
        return Environ(
            variables: variables,
            input: RequestInput(request.takeBody()),
            errors: errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }
}

/// `Content-Type` -> `CONTENT_TYPE`, `X-Forwarded-For` -> `HTTP_X_FORWARDED_FOR`.
/// Names with `_` are dropped: `X_Forwarded_For` would otherwise pose as
/// `X-Forwarded-For` (nginx and gunicorn drop them too).
func cgiName(forHeader key: UnsafePointer<CChar>) -> String? {
    let length = strlen(key)
    return [UInt8](unsafeUninitializedCapacity: length + 5) { out, count in
        let prefix = Array("HTTP_".utf8)
        for (index, byte) in prefix.enumerated() { out[index] = byte }
        count = 5
        for index in 0..<length {
            var byte = UInt8(bitPattern: key[index])
            if byte == UInt8(ascii: "_") { count = 0; return }
            if byte == UInt8(ascii: "-") { byte = UInt8(ascii: "_") }
            else if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 32 }
            out[count] = byte
            count += 1
        }
    }.withUnsafeBufferPointer { bytes -> String? in
        guard !bytes.isEmpty else { return nil }
        let name = String(decoding: bytes, as: UTF8.self)
        if name == "HTTP_CONTENT_TYPE" { return "CONTENT_TYPE" }
        if name == "HTTP_CONTENT_LENGTH" { return "CONTENT_LENGTH" }
        return name
    }
}
