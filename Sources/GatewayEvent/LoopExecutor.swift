/// Runs tasks on a reactor's loop thread: the executor an async
/// application's task prefers, so that its code runs where its connection
/// lives, as an inline synchronous application does. Each job is posted to
/// the loop's inbox (one wake-up of the loop for a batch). A job posted
/// once the loop has closed runs on the global executor instead, so that
/// no task is left hanging.
final class LoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `reactor` is only used through post(), which any thread may call.
    // Weak: the reactor holds its executor.
    private weak var reactor: Reactor?

    init(reactor: Reactor) {
        self.reactor = reactor
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        guard let reactor else { return globalConcurrentExecutor.enqueue(job) }
        reactor.post({ job.runSynchronously(on: executor) }, otherwise: {
            globalConcurrentExecutor.enqueue(job)
        })
    }
}
