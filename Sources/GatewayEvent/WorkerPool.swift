import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of threads running jobs in submission order: where blocking
/// application code runs so that the event loop keeps doing IO.
///
/// New requests are admitted (``hasRoom``) while fewer than `maxPending`
/// wait and the oldest of them has waited less than `maxWait` seconds: a
/// burst of quick requests queues, a queue that has stopped moving is
/// refused early (waitress #420). The jobs of responses under way always
/// queue.
///
/// Hand-overs cost little: a job wakes a worker only when one is idle (a
/// busy worker takes the next job without sleeping), and results go back
/// to the loop through ``Reactor/post(_:otherwise:)``, which wakes the loop
/// once for everything posted before it runs.
final class WorkerPool: Sendable {
    private struct Queue {
        /// Taken jobs are set to nil at once: a finished job must not keep
        /// its request (handler, body, exchange) alive until the next compaction.
        var jobs: [(run: @Sendable () -> Void, isRequest: Bool)?] = []
        var head = 0
        /// When each queued request job was submitted, oldest first.
        var requestTimes: [Double] = []
        var requestHead = 0
        var stopping = false
        var running = 0
        /// Workers waiting for a job.
        var idle = 0
        /// Wake-ups sent that no waiting worker has taken yet.
        var wakeups = 0

        var requests: Int { requestTimes.count - requestHead }

        mutating func take() -> (run: @Sendable () -> Void, isRequest: Bool)? {
            guard head < jobs.count, let job = jobs[head] else { return nil }
            jobs[head] = nil
            head += 1
            if job.isRequest { requestHead += 1 }
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            if requestHead > 1024 && requestHead * 2 > requestTimes.count {
                requestTimes.removeFirst(requestHead)
                requestHead = 0
            }
            return job
        }
    }
    private let queue = Locked(Queue())
    private let wakeUp = Condition()
    let threadCount: Int
    let maxPending: Int
    let maxWait: Double

    init(threads: Int, maxPending: Int, maxWait: Double) {
        threadCount = max(threads, 1)
        self.maxPending = max(maxPending, 1)
        self.maxWait = maxWait > 0 ? maxWait : 1  // not a number or not positive: the default
        for _ in 0..<threadCount {
            startEssentialThread { [self] in work() }
        }
    }

    /// Queues `job` for the next free worker; `isRequest` when it starts a
    /// request (those are what ``hasRoom`` bounds). `wake: false` leaves the
    /// waking to a later ``wakeIdleWorkers()``, so that a batch of jobs costs
    /// one wake-up.
    func submit(isRequest: Bool = false, wake: Bool = true, _ job: @escaping @Sendable () -> Void) {
        queue.withLock {
            $0.jobs.append((job, isRequest))
            if isRequest { $0.requestTimes.append(MonotonicClock.seconds()) }
        }
        if wake { wakeIdleWorkers() }
    }

    /// Wakes as many waiting workers as there are queued jobs no wake-up
    /// is on its way for (not broadcast: a thundering herd).
    func wakeIdleWorkers() {
        let count = queue.withLock { state in
            let wanted = min(state.idle - state.wakeups, state.jobs.count - state.head)
            guard wanted > 0 else { return 0 }
            state.wakeups += wanted
            return wanted
        }
        for _ in 0..<count { wakeUp.signal() }
    }

    /// Requests waiting for a worker.
    var depth: Int { queue.withLock { $0.requests } }

    /// Whether a new request may queue. Checked by a loop just before it
    /// submits, so with several reactors the queue may pass `maxPending`
    /// by at most one request per other reactor: still bounded.
    var hasRoom: Bool {
        queue.withLock { queue in
            guard queue.requests > 0 else { return true }
            return queue.requests < maxPending && MonotonicClock.seconds() - queue.requestTimes[queue.requestHead] < maxWait
        }
    }

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
            var counted = false  // this worker is in `idle`
            wakeUp.wait(until: {
                queue.withLock { state in
                    if counted && state.wakeups > 0 { state.wakeups -= 1 }  // woken (or spuriously)
                    job = state.take()
                    stop = job == nil && state.stopping
                    let ready = job != nil || stop
                    if ready == counted { state.idle += ready ? -1 : 1 }
                    counted = !ready
                    return ready
                }
            })
            if let job { job.run() } else if stop { break }
        }
        queue.withLock { $0.running -= 1 }
    }
}
