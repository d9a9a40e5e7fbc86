import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Serves the requests of one connection, one after another (keep-alive and
/// pipelining), until the client closes, a response must close it, it idles
/// too long, or the server stops.
struct ConnectionServer: Sendable {
    let app: Application
    let configuration: SocketServerConfiguration
    let serverAddress: ServerAddress
    let multithread: Bool
    let multiprocess: Bool
    /// Readable once the server is stopping.
    let stopDescriptor: Int32

    /// Serves at most `maxRequests` requests (nil: no limit); the caller closes the connection.
    func serve(_ connection: SocketConnection, maxRequests: Int? = nil) {
        let reader = RequestReader(connection)
        var served = 0
        while maxRequests.map({ served < $0 }) ?? true {
            if served > 0 && !reader.hasBufferedBytes && !waitForNextRequest(connection) { return }
            let head: RequestHead
            do {
                guard let parsed = try RequestHeadParser.parse(reader, limits: configuration.limits) else { return }
                head = parsed
            } catch let error as HTTPParseError {
                refuse(connection, error)
                return
            } catch {
                return
            }
            served += 1
            let isLast = maxRequests.map { served >= $0 } ?? false
            guard respond(to: head, reader: reader, on: connection, isLast: isLast) else { return }
        }
    }

    /// Runs the application for one request; false when the connection must close.
    private func respond(to head: RequestHead, reader: RequestReader, on connection: SocketConnection, isLast: Bool) -> Bool {
        let body = RequestBodyReader(reader: reader, framing: head.framing, maxBytes: configuration.limits.maxBodyBytes)
        if head.expectsContinue && head.minor >= 1 {
            body.beforeFirstRead = { try connection.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        }
        let environ = makeEnviron(head, body: body, peer: connection.peer)
        let transport = SocketTransport(
            connection: connection, version: head.version, keepAlive: head.wantsKeepAlive && !isLast)
        let handler = Handler(environ: environ, serverSoftware: configuration.serverSoftware)
        if configuration.accessLog { transport.logResponses(to: AccessLog(output: StandardErrorOutput.shared), for: environ) }
        do {
            try handler.run(app, on: transport)
        } catch {
            return false
        }
        if transport.mustClose { return false }
        return body.drain(limit: 1024 * 1024)
    }

    private func makeEnviron(_ head: RequestHead, body: RequestBodyReader, peer: (host: String, port: Int)) -> Environ {
        var cgi = CGIVariables(
            method: head.method, target: head.target, protocolName: head.version,
            server: (serverAddress.host, String(serverAddress.port)), peer: peer)
        for (name, value) in head.headers { cgi.addHeader(name: name, value: value) }
        return Environ(
            variables: cgi.variables,
            input: RequestInput(source: { try body.read($0) }),
            errors: configuration.errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }

    /// Waits for the next request on a kept-alive connection; false when it
    /// idles past the timeout or the server is stopping.
    private func waitForNextRequest(_ connection: SocketConnection) -> Bool {
        var entries = [
            pollfd(fd: connection.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&entries, 2, Int32(configuration.keepAliveTimeout * 1000))
            if ready < 0 && errno == EINTR { continue }
            return ready > 0 && entries[1].revents == 0
        }
    }

    /// Answers a request that could not be parsed, logs it, and gives up the connection.
    private func refuse(_ connection: SocketConnection, _ error: HTTPParseError) {
        configuration.errors.write("EventGateway: refused request from \(connection.peer.host): \(error)\n")
        let reason = ResponseStatus.reasonPhrase(for: error.status)
        let body = ResponseStatus.plainBody(for: error.status)
        let text = "HTTP/1.1 \(error.status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nDate: \(HTTPDate.now())\r\nServer: \(configuration.serverSoftware)\r\n"
            + "Connection: close\r\n\r\n" + body
        try? connection.send(Array(text.utf8))
    }
}
