#if canImport(Glibc)
import Glibc
#endif

/// The signals that stop or reload a server process: SIGINT, SIGTERM and
/// SIGHUP. Every thread the servers start is born with them blocked
/// (``startDetachedThread(_:)``), so no thread of theirs is one where such
/// a signal would take its default action, whatever order the threads and
/// the stop start in; only the thread that waits for them gets them (the
/// event server's loop, ``SignalStop``'s `sigwait`, ``SignalPipe``'s loop).
///
/// ```swift
/// let previous = StopSignals.block()   // threads started now inherit the mask
/// defer { StopSignals.restore(previous) }
/// ```
package enum StopSignals {
    /// SIGINT, SIGTERM, SIGHUP.
    package static let numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Blocks them on the calling thread (and so on the threads it starts
    /// afterwards); returns the mask it had before.
    @discardableResult
    package static func block() -> sigset_t {
        var mask = sigset_t()
        var previous = sigset_t()
        sigemptyset(&mask)
        for number in numbers { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, &previous)
        return previous
    }

    /// Gives the calling thread back a mask ``block()`` returned.
    package static func restore(_ previous: sigset_t) {
        var previous = previous
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
