#if canImport(Glibc)
import Glibc
#endif

/// A stop on a signal for a server without an event loop of its own: the
/// signals are blocked on the calling thread (and the threads it starts
/// afterwards), and a thread waits for them with `sigwait`. The servers'
/// own threads are born with ``StopSignals`` blocked, whenever they start;
/// a thread started otherwise before this call must block the signals
/// itself, or they may take their default action there. (`EventServer`
/// catches signals on its loop instead.)
///
/// ```swift
/// SignalStop.start(on: [SIGINT, SIGTERM]) { server.shutdown() }
/// ```
package enum SignalStop {
    /// Runs `stop` on the waiting thread when one of `signals` arrives.
    /// False, with the signals unblocked again, when no thread could start.
    @discardableResult
    package static func start(on signals: [Int32], _ stop: @escaping @Sendable () -> Void) -> Bool {
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        let watched = mask
        let started = startDetachedThread {
            var waitFor = watched
            var caught: Int32 = 0
            sigwait(&waitFor, &caught)
            stop()
        }
        if !started { pthread_sigmask(SIG_UNBLOCK, &mask, nil) }
        return started
    }
}
