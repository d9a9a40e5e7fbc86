#if canImport(Glibc)
import Glibc
#endif

/// A stop on a signal without a thread: a handler writes one byte into a
/// pipe whose read end the server's accept loop polls. For the socket
/// server's fork mode, whose process must stay single-threaded: a child
/// forked while another thread (`SignalStop`'s, waking for the signal) is
/// inside the Swift runtime inherits that thread's runtime locks held and
/// blocks forever on the first one it needs (seen: the generic metadata
/// cache's lock, in the child's first request parse).
///
/// The handler only calls `write(2)`, which is async-signal-safe. It stays
/// installed, and the pipe open, for the rest of the process: a signal
/// after the server closed finds nothing to wake and is ignored. One
/// server a process: a second ``install(on:)`` replaces the first's pipe.
///
/// ```swift
/// let signalled = SignalPipe.install(on: [SIGINT, SIGTERM])
/// // poll `signalled` beside the listening socket; readable: stop
/// ```
package enum SignalPipe {
    /// Installs the handler for `signals`; returns the pipe's read end
    /// (non-blocking, close-on-exec), or nil when no pipe could be made.
    package static func install(on signals: [Int32]) -> Int32? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        signalPipeWrite = ends[1]  // before the handler can run: it reads it
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                let saved = errno
                var byte: UInt8 = 1
                _ = write(signalPipeWrite, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            _ = sigaction(number, &action, nil)
        }
        // A process may start with them blocked (its parent's mask: a test
        // runner's Process does so); blocked, the handler would never run.
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        return ends[0]
    }

    /// `fork()` with `signals` blocked: the child starts with them blocked
    /// (a stop signal sent to the whole process group does not end it
    /// mid-response, and the handler never runs in it); the parent gets its
    /// mask back, and a signal that came meanwhile is then handled.
    package static func fork(blocking signals: [Int32]) -> pid_t {
        var mask = sigset_t()
        var previous = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, &previous)
        let child = Glibc.fork()
        if child != 0 { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return child
    }

    /// Empties the pipe; true when it held a byte (a signal came).
    package static func drain(_ descriptor: Int32) -> Bool {
        var scratch = [UInt8](repeating: 0, count: 64)
        var got = false
        while read(descriptor, &scratch, scratch.count) > 0 { got = true }
        return got
    }
}

/// The write end the handler writes to; set before the handler is installed.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1
