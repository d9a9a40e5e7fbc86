import Gateway

/// Runs a closure once, however often it is called: `close()` hooks that
/// must not log or clean up twice.
final class Once: Sendable {
    private let done = Locked(false)

    func run(_ body: () -> Void) {
        let first = done.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { body() }
    }
}
