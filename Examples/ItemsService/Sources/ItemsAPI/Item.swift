/// An item as the API sends it.
public struct Item: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var quantity: Int
}

/// An item as a client sends it: the store gives the id.
public struct NewItem: Codable, Equatable, Sendable {
    public var name: String
    public var quantity: Int

    public init(name: String, quantity: Int) {
        self.name = name
        self.quantity = quantity
    }
}
