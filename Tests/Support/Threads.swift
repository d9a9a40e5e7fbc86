import Foundation
import GatewayTesting
import Synchronization

/// Runs blocking test code on a thread of its own, so the cooperative pool
/// (two threads on a two-core machine) stays free for tests that need it.
package func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Runs `body` on `count` threads at once and waits (at most 60 s) for all;
/// rethrows the first error.
package func runConcurrently(count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let group = DispatchGroup()
    let firstError = Mutex<(any Error)?>(nil)
    for index in 0..<count {
        group.enter()
        Thread {
            do { try body(index) } catch { firstError.withLock { if $0 == nil { $0 = error } } }
            group.leave()
        }.start()
    }
    if group.wait(timeout: .now() + 60) == .timedOut {
        throw TestClientError.timedOut
    }
    if let error = firstError.withLock({ $0 }) { throw error }
}
