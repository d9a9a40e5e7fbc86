#if canImport(Glibc)
import Glibc
#endif
import Gateway
import GatewayHTTP

/// A small HTTP/1.x client over a raw loopback socket, for tests: it sends
/// bytes exactly as given (malformed requests included) and parses responses
/// strictly, with a timeout on every read.
///
/// ```swift
/// let client = try TestHTTPClient(port: server.serverAddress.port)
/// let response = try client.get("/hello")
/// #expect(response.status == 200)
/// ```
public final class TestHTTPClient {
    /// The connected socket, for a test that needs a system call the client does not offer (`shutdown`, `setsockopt`).
    public let descriptor: Int32
    private var buffer: [UInt8] = []
    private var readOffset = 0

    /// Connects to `host:port` with `timeout` seconds for each read.
    public init(host: String = "127.0.0.1", port: Int, timeout: Double = 10) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw TestClientError.connect(errno: EINVAL)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClientError.connect(errno: errno) }
        SocketTimeout.set(on: fd, seconds: timeout)
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw TestClientError.connect(errno: code)
        }
        descriptor = fd
    }

    /// Connects to a unix-domain socket at `unixPath`.
    public init(unixPath: String, timeout: Double = 10) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in unixPath.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClientError.connect(errno: errno) }
        SocketTimeout.set(on: fd, seconds: timeout, sends: false)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw TestClientError.connect(errno: code)
        }
        descriptor = fd
    }

    deinit { close() }

    private var isClosed = false

    /// Closes the connection.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = Glibc.close(descriptor)
    }

    /// Shuts down the sending side (the server reads end-of-stream).
    public func shutdownWrite() { _ = shutdown(descriptor, Int32(SHUT_WR)) }

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw TestClientError.closed }
            offset += sent
        }
    }

    /// Sends text as is (write `\r\n` yourself).
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends a request with the given method, target, headers and body.
    /// `Host` and, with a body, `Content-Length` are added unless given.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [],
        body: [UInt8] = [], version: String = "HTTP/1.1"
    ) throws -> TestResponse {
        var text = "\(method) \(target) \(version)\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { text += "Host: 127.0.0.1\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty, !headers.contains(where: { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }) {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        try send(Array(text.utf8) + body)
        return try readResponse(method: method)
    }

    /// GET `target`.
    public func get(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("GET", target, headers: headers)
    }

    /// Reads one response; `method` tells whether a body follows (not for HEAD).
    public func readResponse(method: String = "GET") throws -> TestResponse {
        var response: TestResponse
        repeat {
            response = try readHead()
        } while (100..<200).contains(response.status)  // interim responses
        return try readResponseBody(of: response, method: method)
    }

    /// Reads the body that follows a head read with ``readHead()``.
    public func readResponseBody(of head: TestResponse, method: String = "GET") throws -> TestResponse {
        var response = head
        let bodyless = method == "HEAD" || response.status == 204 || response.status == 304
        if bodyless { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.wasChunked = true
            while true {
                let line = try readLine()
                guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else {
                    throw TestClientError.malformed("chunk size \(line.debugDescription)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}  // trailers
                    break
                }
                response.chunkSizes.append(size)
                response.body += try readExactly(size)
                guard try readLine().isEmpty else { throw TestClientError.malformed("chunk without CRLF") }
            }
        } else if let length = response.header("Content-Length") {
            guard let count = Int(length) else { throw TestClientError.malformed("Content-Length \(length)") }
            response.body = try readExactly(count)
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads the status line and headers.
    public func readHead() throws -> TestResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw TestClientError.malformed("status line \(statusLine.debugDescription)")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError.malformed("header \(line.debugDescription)") }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((String(line[..<colon]), String(value.reversed().drop { $0 == " " }.reversed())))
        }
        return TestResponse(
            version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers, body: [], wasChunked: false, chunkSizes: [])
    }

    /// Reads bytes until the server closes the connection.
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        return take(buffer.count - readOffset)
    }

    /// True when the server has closed the connection (reads end-of-stream
    /// or a reset) before `timeout` seconds; false if it stays open and silent.
    public func isClosedByServer() -> Bool {
        do {
            while try fill() {}
            return true
        } catch TestClientError.timedOut {
            return false
        } catch {
            return true
        }
    }

    /// Reads exactly `count` bytes.
    public func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - readOffset < count {
            guard try fill() else { throw TestClientError.closed }
        }
        return take(count)
    }

    /// Reads a CRLF-terminated line, without the CRLF.
    public func readLine() throws -> String {
        while true {
            if let newline = buffer[readOffset...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = take(newline - readOffset + 1)
                line.removeLast()
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { throw TestClientError.closed }
        }
    }

    /// Reads more bytes; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw TestClientError.timedOut }
                if errno == ECONNRESET { return false }
                throw TestClientError.closed
            }
            if count == 0 { return false }
            if readOffset > 0 && readOffset == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                readOffset = 0
            }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
    }

    private func take(_ count: Int) -> [UInt8] {
        let bytes = Array(buffer[readOffset..<(readOffset + count)])
        readOffset += count
        return bytes
    }
}
