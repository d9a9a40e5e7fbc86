import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// What an async request's task tells the connection thread that waits for
/// it (``AsyncExchange``): the step it awaited is done, or the application
/// wants more of the request body. The flags sit behind a lock; a byte
/// written to a pipe wakes the thread from the `poll(2)` in which it also
/// watches the client's socket, which a condition variable could not.
final class PumpSignal: @unchecked Sendable {
    // @unchecked: the flags are behind `state`'s lock; the descriptors are
    // written (and closed) only with it held.
    /// Readable while a signal is pending; the connection thread polls it.
    let descriptor: Int32
    private let writeEnd: Int32

    private struct State {
        var demanded = false
        var stepDone = false
        var open = true
    }
    private let state = Locked(State())

    /// A signal with a pipe of its own; nil when no descriptor is to be had.
    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit { close() }

    /// The application read, or took enough to make room (the request
    /// body stream's `demand`). Any thread.
    func demand() { raise { $0.demanded = true } }

    /// The awaited step (the application's head, or a chunk) is done. Any thread.
    func stepFinished() { raise { $0.stepDone = true } }

    private func raise(_ change: (inout State) -> Void) {
        state.withLock { state in
            change(&state)
            guard state.open else { return }  // the request is over: nobody waits
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)  // a full pipe has a wake-up pending already
        }
    }

    /// Takes the pending signals (and clears them).
    func take() -> (demanded: Bool, stepDone: Bool) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &scratch, scratch.count) > 0 {}
        return state.withLock { state in
            defer {
                state.demanded = false
                state.stepDone = false
            }
            return (state.demanded, state.stepDone)
        }
    }

    /// Closes the pipe; later signals (an application that kept its input) do nothing.
    func close() {
        state.withLock { state in
            guard state.open else { return }
            state.open = false
            _ = Glibc.close(descriptor)
            _ = Glibc.close(writeEnd)
        }
    }
}
