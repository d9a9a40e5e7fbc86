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
        /// The task's jobs, run by the connection thread (``ConnectionExecutor``).
        var jobs: [UnownedJob] = []
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

    /// Queues a job of the task for the connection thread; false once the
    /// request is over (then the job must run elsewhere). Any thread.
    func post(_ job: UnownedJob) -> Bool {
        state.withLock { state in
            guard state.open else { return false }
            state.jobs.append(job)
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
            return true
        }
    }

    /// Takes the pending signals and jobs (and clears them).
    func take() -> (demanded: Bool, stepDone: Bool, jobs: [UnownedJob]) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &scratch, scratch.count) > 0 {}
        return state.withLock { state in
            defer {
                state.demanded = false
                state.stepDone = false
                state.jobs.removeAll()
            }
            return (state.demanded, state.stepDone, state.jobs)
        }
    }

    /// Closes the pipe; later signals (an application that kept its input)
    /// do nothing, and jobs still queued or posted later run on the global executor.
    func close() {
        let left: [UnownedJob] = state.withLock { state in
            guard state.open else { return [] }
            state.open = false
            _ = Glibc.close(descriptor)
            _ = Glibc.close(writeEnd)
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in left { globalConcurrentExecutor.enqueue(job) }
    }
}

/// Runs an async request's tasks on its connection's thread, between its
/// polls (``AsyncExchange``): the application needs none of the
/// cooperative pool's threads, which synchronous code elsewhere in the
/// process may hold. Once the request is over, its tasks' last jobs run on
/// the global executor.
final class ConnectionExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the signal is itself thread-safe.
    private let signal: PumpSignal

    init(signal: PumpSignal) {
        self.signal = signal
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !signal.post(job) { globalConcurrentExecutor.enqueue(job) }
    }

    /// Runs jobs taken from the signal, on the calling (connection) thread.
    func run(_ jobs: [UnownedJob]) {
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
    }
}
