import Gateway
import GatewayHTTP
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
        var jobs: [(run: @Sendable () -> Void, isRequest: Bool)?] = []
        /// Queued jobs that start a request (the rest continue responses under way).
        var requests = 0
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

    /// Queues `job` for the next free worker; `isRequest` when it starts a
    /// request (those are what ``maxPending`` bounds).
    func submit(isRequest: Bool = false, _ job: @escaping @Sendable () -> Void) {
        queue.withLock {
            $0.jobs.append((job, isRequest))
            if isRequest { $0.requests += 1 }
        }
        wakeUp.signal()  // not broadcast: waking every worker for one job is a thundering herd
    }

    /// Requests waiting for a worker.
    var depth: Int { queue.withLock { $0.requests } }

    /// Whether a new request may queue. Checked by a loop just before it
    /// submits, so with several reactors the queue may pass `maxPending`
    /// by at most one request per other reactor: still bounded.
    var hasRoom: Bool { depth < maxPending }

    /// Lets the workers finish what is queued, then end.
    func stop() {
        queue.withLock { $0.stopping = true }
        wakeUp.broadcast()
    }

    private func work() {
        queue.withLock { $0.running += 1 }
        while true {
            var job: (run: @Sendable () -> Void, isRequest: Bool)?
            var stop = false
            wakeUp.wait(until: {
                queue.withLock { state in
                    if state.head < state.jobs.count {
                        job = state.jobs[state.head]
                        state.jobs[state.head] = nil
                        if job?.isRequest == true { state.requests -= 1 }
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
            if let job { job.run() } else if stop { break }
        }
        queue.withLock { $0.running -= 1 }
    }
}
