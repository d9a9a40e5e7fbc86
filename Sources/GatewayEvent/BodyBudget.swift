import Gateway

/// The memory one server process may hold for request bodies, shared by
/// all its reactors (``RequestLimits/maxBufferedBodyBytes``).
/// A body is kept in memory only with a reservation from here; without one
/// it is spooled to a temporary file (``BodySpool``). So whatever clients
/// send, the bodies held in memory never add up to more than the budget.
final class BodyBudget: Sendable {
    private struct State {
        var held = 0
        var peak = 0
    }
    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    /// Reserves `bytes`, or nil when they would overflow the budget.
    func reserve(_ bytes: Int) -> Reservation? {
        guard bytes >= 0 else { return nil }
        let granted = state.withLock { state -> Bool in
            guard state.held + bytes <= capacity else { return false }
            state.held += bytes
            state.peak = max(state.peak, state.held)
            return true
        }
        return granted ? Reservation(budget: self, bytes: bytes) : nil
    }

    /// Bytes reserved now, and the most ever reserved at once.
    var usage: (held: Int, peak: Int) {
        state.withLock { ($0.held, $0.peak) }
    }

    fileprivate func release(_ bytes: Int) {
        state.withLock { $0.held -= bytes }
    }

    /// Bytes of the budget held for one body; given back when it is freed.
    final class Reservation {
        let bytes: Int
        private let budget: BodyBudget

        fileprivate init(budget: BodyBudget, bytes: Int) {
            self.budget = budget
            self.bytes = bytes
        }

        deinit { budget.release(bytes) }
    }
}
