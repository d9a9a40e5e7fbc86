import Dispatch

/// Runs async work in a task and blocks the calling thread until it is
/// done: for a thread of its own (a CGI program's, a connection's), never
/// for one of the cooperative pool's, which the task may need.
package func waitFor<Value>(_ work: @escaping () async throws -> Value) throws -> Value {
    let done = DispatchSemaphore(value: 0)
    let job = UnsafeTransfer(work)
    let outcome = Locked<Result<UnsafeTransfer<Value>, any Error>?>(nil)
    Task {
        do {
            let value = UnsafeTransfer(try await job.value())
            outcome.withLock { $0 = .success(value) }
        } catch {
            outcome.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get().value
}
