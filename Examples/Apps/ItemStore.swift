import Gateway

/// The items, in memory, shared by every thread.
public final class ItemStore: Sendable {
    private let state = Locked<(next: Int, items: [Int: Item])>((1, [:]))

    public init() {}

    public var all: [Item] { state.withLock { $0.items.values.sorted { $0.id < $1.id } } }
    public func get(_ id: Int) -> Item? { state.withLock { $0.items[id] } }

    func create(_ input: ItemInput) -> Item {
        state.withLock { state in
            let item = Item(id: state.next, name: input.name, quantity: input.quantity ?? 0)
            state.items[item.id] = item
            state.next += 1
            return item
        }
    }

    func replace(_ id: Int, with input: ItemInput) -> Item? {
        state.withLock { state in
            guard state.items[id] != nil else { return nil }
            let item = Item(id: id, name: input.name, quantity: input.quantity ?? 0)
            state.items[id] = item
            return item
        }
    }

    func delete(_ id: Int) -> Bool { state.withLock { $0.items.removeValue(forKey: id) != nil } }
}
