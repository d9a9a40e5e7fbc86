#if canImport(Glibc)
import Glibc
#endif

extension GatewayServer {
    /// Stops the server gracefully (``shutdown()``) when one of `signals`
    /// arrives, for example `[SIGINT, SIGTERM]`: a thread waits for them with
    /// `sigwait`, and they are blocked on the calling thread and the threads
    /// it starts afterwards. Call it before starting other threads, so no
    /// thread is left where the signal would take its default action.
    ///
    /// Servers with an event loop of their own (`EventServer`) catch the
    /// signals on that loop instead.
    ///
    /// ```swift
    /// let server = try makeServer(host: "0.0.0.0", port: 8080, app: app)
    /// server.stopOnSignals([SIGINT, SIGTERM])
    /// try server.serveForever()   // returns after SIGTERM, once responses under way finished
    /// ```
    public func stopOnSignals(_ signals: [Int32]) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        let waitMask = mask
        startDetachedThread { [self] in
            var waitFor = waitMask
            var caught: Int32 = 0
            sigwait(&waitFor, &caught)
            shutdown()
        }
    }
}
