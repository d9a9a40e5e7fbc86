import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Serves the requests of one connection, one after another (keep-alive and
/// pipelining), until the client closes, a response must close it, it idles
/// too long, or the server stops.
struct ConnectionServer: Sendable {
    let app: AnyApplication
    let configuration: SocketServerConfiguration
    let serverAddress: ServerAddress
    let multithread: Bool
    let multiprocess: Bool
    /// Readable once the server is stopping.
    let stopDescriptor: Int32
    /// True once a stop began (the pipe is drained when the accept loop ends;
    /// connections still under way must go on knowing).
    let stopBegun: @Sendable () -> Bool

    /// Serves at most `maxRequests` requests (nil: no limit); the caller closes the connection.
    func serve(_ connection: SocketConnection, maxRequests: Int? = nil) {
        let requests = RequestStream(connection, limits: configuration.limits.parserLimits)
        var served = 0
        while maxRequests.map({ served < $0 }) ?? true {
            if served > 0 && !requests.hasBufferedBytes && !waitForNextRequest(connection) { return }
            let head: RequestHead
            do {
                guard let parsed = try requests.nextHead() else { return }
                head = parsed
            } catch let refusal as RequestRefusal {
                refuse(connection, refusal, requests: requests)
                return
            } catch {
                return
            }
            served += 1
            let isLast = maxRequests.map { served >= $0 } ?? false
            guard respond(to: head, requests: requests, on: connection, isLast: isLast) else { return }
        }
    }

    /// Runs the application for one request; false when the connection must close.
    private func respond(to head: consuming RequestHead, requests: RequestStream, on connection: SocketConnection, isLast: Bool) -> Bool {
        if !configuration.endpoints.isEmpty,
           let answer = configuration.endpoints.answer(method: head.method, target: head.target, stopping: isStopping) {
            var bytes: [UInt8] = []
            let keeps = ResponseWriter.writeHead(
                answer.head, minorVersion: head.minorVersion, keepAlive: head.keepAlive && !isLast && !isStopping, into: &bytes)
            guard (try? connection.send(bytes + answer.body)) != nil, keeps else { return false }
            return requests.drain()
        }
        guard case .sync(let app) = app else { return respondResolving(to: head, requests: requests, on: connection, isLast: isLast) }
        return respond(to: head, variables: nil, app: app, requests: requests, on: connection, isLast: isLast)
    }

    /// Serves a synchronous application: the body is streamed to it through
    /// blocking reads (a chunked one is read whole first). `variables` are
    /// the environ's when a choice between applications took them already.
    private func respond(
        to head: consuming RequestHead, variables: EnvironVariables?, app: Application,
        requests: RequestStream, on connection: SocketConnection, isLast: Bool
    ) -> Bool {
        if head.expectsContinue && head.framing != .none && head.framing != .length(0) && !requests.hasBufferedBytes {
            // Sent before the application runs, as the libevent server does
            // (it reads the body first): a client waiting for it never
            // stalls, whether or not the application reads the body. Not
            // when some of the body came with the head: the client did not
            // wait (RFC 9110 §10.1.1), and the libevent server omits it then too.
            guard (try? connection.send(ServerResponse.continue.bytes)) != nil else { return false }
        }
        let input: RequestInput
        if head.framing == .chunked {
            // A chunked body is read whole (within the body limit) before the
            // application runs, as the libevent server does: a fault in its
            // framing is then refused the same way on both servers, before the
            // application could answer. Content-Length bodies are streamed.
            do {
                input = RequestInput(try requests.readWholeBody())
            } catch let refusal as RequestRefusal {
                refuse(connection, refusal, requests: requests)
                return false
            } catch {
                return false
            }
        } else {
            input = RequestInput(source: { try requests.readBody($0) })
        }
        let environ = makeEnviron(
            variables ?? head.takeCGIVariables(server: (serverAddress.host, String(serverAddress.port)), peer: connection.peer),
            input: input)
        let transport = SocketTransport(
            connection: connection, minorVersion: head.minorVersion, keepAlive: head.keepAlive && !isLast && !isStopping,
            clientGone: { requests.endedMidRequest })
        let handler = Handler(environ: environ, serverSoftware: configuration.serverSoftware)
        if configuration.accessLog { transport.logResponses(to: ServerAccessLog(output: StandardErrorOutput.shared), for: environ) }
        do {
            try handler.run(app, on: transport)
        } catch {
            return false
        }
        if transport.mustClose {
            if requests.unreadBodyBytes > 0 { connection.linger() }
            return false
        }
        // What the application left of the body is read and dropped, whatever
        // its size, and the connection goes on, as nginx, waitress and
        // gunicorn do (and the libevent server, which reads bodies first):
        // the parser's body limit bounds it, the receive timeout its pace.
        return requests.drain()
    }

    /// Serves a request with an application that may be async (``AnyApplication/async(_:)``,
    /// or ``AnyApplication/choosing(_:)``, decided from the environ before the body is read).
    private func respondResolving(
        to head: consuming RequestHead, requests: RequestStream, on connection: SocketConnection, isLast: Bool
    ) -> Bool {
        let variables = head.takeCGIVariables(server: (serverAddress.host, String(serverAddress.port)), peer: connection.peer)
        var environ = makeEnviron(variables, input: RequestInput.holding([]))
        let async: AsyncApplication
        switch app.resolved(for: environ) {
        case .sync(let app):
            return respond(to: head, variables: variables, app: app, requests: requests, on: connection, isLast: isLast)
        case .async(let app):
            async = app
        case .choosing:
            preconditionFailure("AnyApplication.resolved(for:) returned a choice")
        }
        guard let exchange = AsyncExchange(
            connection: connection, requests: requests, head: head,
            stallWindow: configuration.limits.idleTimeout, logger: configuration.logger)
        else {
            refuse(connection, RequestRefusal(.overloaded, "no descriptor for an async request"), requests: requests)
            return false
        }
        environ.input = RequestInput(stream: exchange.stream)
        let transport = SocketTransport(
            connection: connection, minorVersion: head.minorVersion, keepAlive: head.keepAlive && !isLast && !isStopping,
            clientGone: { requests.endedMidRequest })
        if configuration.accessLog { transport.logResponses(to: ServerAccessLog(output: StandardErrorOutput.shared), for: environ) }
        let handler = Handler(environ: environ, serverSoftware: configuration.serverSoftware)
        return exchange.serve(async, handler: handler, transport: transport)
    }

    private func makeEnviron(_ variables: EnvironVariables, input: RequestInput) -> Environ {
        Environ(
            variables: variables,
            input: input,
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
            let ready = poll(&entries, 2, Int32(configuration.limits.keepAliveTimeout * 1000))
            if ready < 0 && errno == EINTR { continue }
            return ready > 0 && entries[1].revents == 0
        }
    }

    /// The server is stopping: each response closes its connection.
    private var isStopping: Bool {
        if stopBegun() { return true }
        var entry = pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Answers a request that could not be parsed, logs it, and gives up the
    /// connection; a client that closed its side mid-request, or whose
    /// request did not arrive in time, gets no answer, only the log line.
    private func refuse(_ connection: SocketConnection, _ refusal: RequestRefusal, requests: RequestStream) {
        if refusal.kind == .timedOut {
            // A request that did not arrive in time: closed without an answer,
            // as the libevent server (and nginx) do; a client idling on a
            // connection it may reuse must not read a 408 it never asked for.
            configuration.logger.info("closing connection from \(connection.peer.host): \(refusal.reason)")
            return
        }
        if requests.endedMidRequest {
            configuration.logger.requestCutShort(from: connection.peer.host, refusal.reason)
            return
        }
        configuration.logger.refusedRequest(from: connection.peer.host, refusal)
        try? connection.send(ServerResponse.answering(
            refusal, serverSoftware: configuration.serverSoftware, toHead: requests.isHeadRequest).bytes)
        connection.linger()  // the client may still be sending (a body refused midway)
    }
}
