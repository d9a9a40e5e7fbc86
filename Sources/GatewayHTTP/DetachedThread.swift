#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a new detached thread. Returns false, without running
/// `body`, when the system refuses a thread; the caller decides what then.
/// Shared by the servers' loops, worker pools and per-connection threads.
/// The thread starts with ``StopSignals`` blocked: a stop or reload signal
/// never lands on it, whichever thread started it and when.
@discardableResult
package func startDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box: @unchecked Sendable {  // immutable; crosses to the new thread once
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    // A new thread inherits its creator's mask: created under the block, it
    // is never without it, not even before its first instruction.
    let previous = StopSignals.block()
    defer { StopSignals.restore(previous) }
    var thread = pthread_t()
    guard pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context) == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return false
    }
    pthread_detach(thread)
    return true
}

/// Starts a thread the server cannot do without (a loop, a pool worker).
package func startEssentialThread(_ body: @escaping @Sendable () -> Void) {
    guard startDetachedThread(body) else { fatalError("pthread_create failed: cannot start a server thread") }
}
