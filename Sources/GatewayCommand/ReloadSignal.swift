import GatewayHTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP for a server without supervised workers (no `--processes`, or
/// the socket backend): there is nothing to reload, and the signal's
/// default action would end the process, so a systemd `ExecReload` (kill
/// -HUP) would stop the service. The signal is logged, one line each time,
/// and otherwise ignored, on both backends alike.
enum ReloadSignal {
    /// Blocks SIGHUP on the calling thread, and so on the threads it starts
    /// afterwards, and takes it on a thread of its own that logs `why` (a
    /// thread born with all ``StopSignals`` blocked: SIGTERM and SIGINT are
    /// the stop's, not its). A SIGHUP reaching a thread that does not block
    /// it runs a handler that does nothing: never the default action.
    static func ignore(logger: Logger, because why: String) {
        signal(SIGHUP, { _ in })
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        let watched = mask
        let started = startDetachedThread {
            while true {
                var waitFor = watched
                var caught: Int32 = 0
                guard sigwait(&waitFor, &caught) == 0 else { continue }
                logger.notice("SIGHUP ignored: \(why)")
            }
        }
        if !started {
            // No thread to log it: ignore it silently.
            signal(SIGHUP, SIG_IGN)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        }
    }

    /// Ignores SIGHUP without a thread (the socket server's fork mode must
    /// fork from a single-threaded process), saying so once, now.
    static func ignoreSilently(logger: Logger, because why: String) {
        signal(SIGHUP, SIG_IGN)
        logger.notice("SIGHUP will be ignored: \(why)")
    }
}
