import Synchronization

/// The items, in memory, safe to use from the server's worker threads.
/// (One store per process: with `processes = N` each worker has its own.)
public final class ItemStore: Sendable {
    private struct State {
        var items: [Int: Item] = [:]
        var lastID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var all: [Item] { state.withLock { $0.items.values.sorted { $0.id < $1.id } } }

    public func item(_ id: Int) -> Item? { state.withLock { $0.items[id] } }

    public func add(_ new: NewItem) -> Item {
        state.withLock { state in
            state.lastID += 1
            let item = Item(id: state.lastID, name: new.name, quantity: new.quantity)
            state.items[item.id] = item
            return item
        }
    }

    /// True when there was such an item.
    public func remove(_ id: Int) -> Bool { state.withLock { $0.items.removeValue(forKey: id) != nil } }
}
