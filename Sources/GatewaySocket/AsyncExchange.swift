import Gateway
import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Serves one request with an `AsyncApplication` on the connection's
/// own thread, without blocking a thread of the cooperative pool.
///
/// The application runs in a task; so does each awaited chunk of its body
/// (``Handler/nextChunk()-1r4ze``). Their jobs run on this thread too
/// (``ConnectionExecutor``), between polls. The connection thread waits for each
/// step in a "pumping wait": a `poll(2)` on the task's ``PumpSignal`` and
/// the client's socket. Meanwhile it feeds the request body to the
/// application through a ``RequestBodyStream``, reading the socket only
/// after a demand and while the stream has room (backpressure), and
/// sending `100 Continue` at the first demand if the client waits for it.
/// It writes the head, and each chunk, when its step is done.
///
/// A client that vanishes (a reset, a failed write, an end of stream
/// before the body's end) cancels the task; the body's `close()` runs
/// once, through ``Handler/finish()``. A body the server refuses (too
/// large, malformed, stalled) fails the application's reads with the
/// parser's ``RequestRefusal``, whose status the handler answers if no head
/// went out yet; then, as when the response is over before the body was
/// read to its end, the connection closes after the response.
final class AsyncExchange {
    private let connection: SocketConnection
    private let requests: RequestStream
    private let signal: PumpSignal
    private let executor: ConnectionExecutor
    /// What the application reads: `environ.input = RequestInput(stream: stream)`.
    let stream: RequestBodyStream
    private let logger: Logger
    /// Seconds the client may take to send more of a body the application waits for.
    private let stallWindow: Double

    /// The client waits for `100 Continue` before it sends the body.
    private var continueOwed: Bool
    /// A demand came and the stream has room: the socket is read for the body.
    private var reading = false
    /// The stream is finished: the body is all pushed, or it failed.
    private var bodyEnded = false
    /// The body failed (refused, timed out, cut short): the connection closes after the response.
    private var bodyFailed = false
    /// The last time body bytes arrived (``MonotonicClock``).
    private var lastActivity = MonotonicClock.seconds()
    private var headSent = false
    /// The client is gone: nothing more is written, the task was cancelled.
    private var clientGone = false
    /// The task running the step under way.
    private var task: Task<Void, Never>?

    /// Bytes moved from the socket to the stream at most at once.
    private static let pieceSize = 64 * 1024

    /// An exchange for the request whose head `requests` has just read;
    /// nil when no descriptor is left for its ``PumpSignal``.
    init?(connection: SocketConnection, requests: RequestStream, head: borrowing RequestHead,
          stallWindow: Double, logger: Logger) {
        guard let signal = PumpSignal() else { return nil }
        self.connection = connection
        self.requests = requests
        self.signal = signal
        executor = ConnectionExecutor(signal: signal)
        self.stallWindow = stallWindow
        self.logger = logger
        stream = RequestBodyStream { _ in signal.demand() }
        let hasBody = head.framing != .none && head.framing != .length(0)
        continueOwed = head.expectsContinue && hasBody
        if !hasBody {
            // The parser ends an empty body without a byte.
            _ = try? requests.bufferedBody(max: 1)
            stream.finish()
            bodyEnded = true
        }
    }

    deinit { signal.close() }

    /// Runs `app` through `handler` and writes its response with
    /// `transport`; true when the connection may carry another request.
    func serve(_ app: @escaping AsyncApplication, handler: Handler, transport: SocketTransport) -> Bool {
        defer {
            handler.finish()  // the body's close(), once (a no-op if it ran)
            signal.close()
            if !bodyEnded { stream.finish(throwing: CancellationError()) }  // later reads end
        }
        let work = UnsafeTransfer(handler)
        let head = awaitStep { await work.value.start(app) }
        guard !clientGone, !requests.endedMidRequest else { return false }
        // A client still waiting for `100 Continue` may never send the body
        // it announced: the head says the connection closes.
        if continueOwed && !requests.bodyFinished { transport.closesAfterResponse() }
        do {
            try transport.sendHead(head)
            headSent = true
            if let file = handler.takeFile() {
                try transport.sendFile(file, length: nil)
            } else if let chunks = handler.takeBufferedBody() {
                for chunk in chunks { try transport.sendChunk(chunk) }
            } else {
                while true {
                    let next = awaitStep { () async -> Result<[UInt8]?, any Error> in
                        do { return .success(try await work.value.nextChunk()) } catch { return .failure(error) }
                    }
                    guard !clientGone else {
                        transport.abort()
                        return false
                    }
                    guard let chunk = try next.get() else { break }
                    try transport.sendChunk(chunk)
                }
            }
            try transport.finish()
        } catch {
            // A failed write (the client left), or the body failed after the
            // head: the client sees a truncated response, never a whole-looking one.
            transport.abort()
            return false
        }
        // The body failed, or the connection closes anyway: no next request.
        if transport.mustClose || bodyFailed { return lingerIfNeeded() }
        // What the application left of the body is read and dropped, as for
        // a synchronous application (and on the libevent server), and the
        // connection goes on: the parser's limit bounds it, the timeout its pace.
        return requests.drain()
    }

    /// Closing with body bytes unread would make the kernel reset the
    /// connection, which can destroy the response: linger first.
    private func lingerIfNeeded() -> Bool {
        if !requests.bodyFinished || requests.hasBufferedBytes { connection.linger() }
        return false
    }

    // MARK: - The pumping wait

    /// Runs `work` in a task and serves the request body until it returns.
    private func awaitStep<Value>(_ work: @escaping () async -> Value) -> Value {
        let result = Locked<UnsafeTransfer<Value>?>(nil)
        let job = UnsafeTransfer(work)
        let signal = self.signal
        task = Task(executorPreference: executor) {
            let value = await job.value()
            result.withLock { $0 = UnsafeTransfer(value) }
            signal.stepFinished()
        }
        pumpUntilStepDone()
        task = nil
        return result.withLock { $0! }.value
    }

    private func pumpUntilStepDone() {
        while true {
            // Each signal taken is handled in this turn; the jobs' own
            // signals wait in the pipe for the next take().
            let (demanded, stepDone, jobs) = signal.take()
            if demanded { demandHeard() }
            if !jobs.isEmpty {
                executor.run(jobs)
                if !stepDone { continue }
            }
            if stepDone { return }
            while reading && !bodyEnded && feedFromBuffer() {}
            waitForEvents()
        }
    }

    /// The application read, or made room: `100 Continue` if the client
    /// waits for it (and none of the body came yet), and reading on.
    private func demandHeard() {
        guard !bodyEnded, !clientGone else { return }
        if continueOwed {
            continueOwed = false
            if !headSent && !requests.hasBufferedBytes {
                do { try connection.send(ServerResponse.continue.bytes) } catch { return vanished() }
            }
        }
        // The client's turn begins now: the stall window counts from here.
        if !reading { lastActivity = MonotonicClock.seconds() }
        reading = true
    }

    /// Moves buffered body bytes to the stream while it has room; false
    /// when nothing more can move without reading the socket (or a demand).
    private func feedFromBuffer() -> Bool {
        let room = stream.room
        if room == 0 {
            if stream.pause() {
                reading = false  // the stream's demand calls back
                return false
            }
            return true  // the application took enough meanwhile
        }
        do {
            switch try requests.bufferedBody(max: min(room, Self.pieceSize)) {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { stream.push($0) }
                return true
            case .end:
                stream.finish()
                bodyEnded = true
                return false
            case .needsBytes:
                return false
            }
        } catch {
            failBody(error)
            return false
        }
    }

    /// Waits for the task's signal, and for body bytes when they are due
    /// (at most the stall window since the last); a reset or hang-up of the
    /// socket is noticed meanwhile.
    private func waitForEvents() {
        let wantsBytes = reading && !bodyEnded
        var entries = [
            pollfd(fd: signal.descriptor, events: Int16(POLLIN), revents: 0),
            // Once the client is gone the socket is not watched (its hang-up would repeat).
            pollfd(fd: clientGone ? -1 : connection.descriptor, events: wantsBytes ? Int16(POLLIN) : 0, revents: 0),
        ]
        let timeout = wantsBytes ? Int32(max(lastActivity + stallWindow - MonotonicClock.seconds(), 0) * 1000) : -1
        let ready = poll(&entries, 2, timeout)
        if ready < 0 { return }  // EINTR: the caller looks again
        if ready == 0 && wantsBytes {
            return failBody(RequestRefusal(.timedOut, "request body stalled for \(Int(stallWindow)) s"))
        }
        let socket = Int32(entries[1].revents)
        if wantsBytes && socket & Int32(POLLIN) != 0 {
            do {
                try requests.receiveBody()
                lastActivity = MonotonicClock.seconds()
            } catch {
                failBody(error)
            }
        } else if socket & Int32(POLLERR | POLLHUP) != 0 {
            vanished()  // a reset, or the server's close cutting it
        }
    }

    /// The body cannot be read to its end: the application's reads throw
    /// `error` (a refusal's status answers, if no head went out yet).
    private func failBody(_ error: any Error) {
        bodyEnded = true
        bodyFailed = true
        reading = false
        if requests.endedMidRequest || !(error is RequestRefusal) {
            // The client closed or reset mid-body: nobody is left to answer.
            logger.requestCutShort(from: connection.peer.host, "\(error)")
            stream.finish(throwing: error)
            return vanished()
        }
        logger.refusedRequest(from: connection.peer.host, error as! RequestRefusal)
        stream.finish(throwing: error)
    }

    /// The client is gone: the task is cancelled (its awaits throw
    /// `CancellationError`), nothing more is written.
    private func vanished() {
        guard !clientGone else { return }
        clientGone = true
        reading = false
        if !bodyEnded {
            bodyEnded = true
            bodyFailed = true
            stream.finish(throwing: CancellationError())
        }
        task?.cancel()
    }
}
