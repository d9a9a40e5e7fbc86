#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// The run state both servers keep under their lock: one loop at a time, a
/// shutdown that may come before the loop starts (the next serve returns at
/// once), and no running again once closed (``GatewayServerError``).
package struct ServeLifecycle {
    package private(set) var running = false
    package private(set) var stopRequested = false
    package private(set) var closed = false
    private var loopThread: pthread_t?

    package init() {}

    /// Marks the loop as running on this thread; false (and the pending stop
    /// consumed) when a shutdown came first. `handleRequest` ignores such a stop.
    package mutating func begin(oneRequest: Bool) throws(GatewayServerError) -> Bool {
        if closed { throw .closed }
        if running { throw .alreadyRunning }
        if stopRequested && !oneRequest {
            stopRequested = false
            return false
        }
        running = true
        loopThread = pthread_self()
        return true
    }

    package mutating func end() {
        running = false
        loopThread = nil
        stopRequested = false
    }

    /// Asks the loop to stop. `wait`: it runs, on another thread than the
    /// caller's, so the caller may wait for it (never from the loop itself).
    package mutating func requestStop() -> (running: Bool, wait: Bool) {
        guard !closed else { return (false, false) }
        stopRequested = true
        let fromOtherThread = loopThread.map { pthread_equal($0, pthread_self()) == 0 } ?? false
        return (running, running && fromOtherThread)
    }

    /// Marks the server closed; false if it was already, or if it still runs
    /// and `whileRunning` is false (a server whose loop owns what close frees).
    package mutating func close(whileRunning: Bool = false) -> Bool {
        guard !closed && (whileRunning || !running) else { return false }
        closed = true
        return true
    }
}
