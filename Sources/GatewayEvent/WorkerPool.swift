import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of threads running jobs in submission order: where blocking
/// application code runs so that the event loop keeps doing IO. New
/// requests wait in its queue only while fewer than `maxPending` jobs do
/// (``hasRoom``); the jobs of responses under way always queue.
final class WorkerPool: Sendable {
    private struct Queue {
        /// Taken jobs are set to nil at once: a finished job must not keep
        /// its request (handler, body, exchange) alive until the next compaction.
        var jobs: [(@Sendable () -> Void)?] = []
        var head = 0
        var stopping = false
        var running = 0
    }
    private let queue = Locked(Queue())
    private let wakeUp = Condition()
    let threadCount: Int
    let maxPending: Int

    init(threads: Int, maxPending: Int) {
        threadCount = max(threads, 1)
        self.maxPending = max(maxPending, 1)
        for _ in 0..<threadCount {
            startEssentialThread { [self] in work() }
        }
    }

    /// Queues `job` for the next free worker.
    func submit(_ job: @escaping @Sendable () -> Void) {
        queue.withLock { $0.jobs.append(job) }
        wakeUp.signal()  // not broadcast: waking every worker for one job is a thundering herd
    }

    /// Jobs waiting for a worker.
    var depth: Int { queue.withLock { $0.jobs.count - $0.head } }

    /// Whether a new request may queue. Checked by a loop just before it
    /// submits, so with several reactors the queue may pass `maxPending`
    /// by at most one job per other reactor: still bounded.
    var hasRoom: Bool { depth < maxPending }

    /// Lets the workers finish what is queued, then end.
    func stop() {
        queue.withLock { $0.stopping = true }
        wakeUp.broadcast()
    }

    private func work() {
        queue.withLock { $0.running += 1 }
        while true {
            var job: (@Sendable () -> Void)?
            var stop = false
            wakeUp.wait(until: {
                queue.withLock { state in
                    if state.head < state.jobs.count {
                        job = state.jobs[state.head]
                        state.jobs[state.head] = nil
                        state.head += 1
                        if state.head > 1024 && state.head * 2 > state.jobs.count {
                            state.jobs.removeFirst(state.head)
                            state.head = 0
                        }
                        return true
                    }
                    stop = state.stopping
                    return stop
                }
            })
            if let job { job() } else if stop { break }
        }
        queue.withLock { $0.running -= 1 }
    }
}

/// Moves a value that is not Sendable to another thread, for handoffs where
/// exactly one thread uses it at a time (the pool's lock orders the accesses).
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Starts a thread the server cannot do without (a loop, a pool worker).
func startEssentialThread(_ body: @escaping @Sendable () -> Void) {
    guard startDetachedThread(body) else { fatalError("pthread_create failed: cannot start a server thread") }
}
