import Dispatch

/// Runs blocking work for async code on Dispatch's threads, which grow when
/// they block, instead of on the cooperative pool's, which do not (a
/// blocked cooperative thread stalls every task waiting for one).
package enum BlockingWork {
    package static func run<Value>(_ work: @escaping () throws -> Value) async throws -> UnsafeTransfer<Value> {
        let job = UnsafeTransfer(work)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { UnsafeTransfer(try job.value()) })
            }
        }
    }
}
