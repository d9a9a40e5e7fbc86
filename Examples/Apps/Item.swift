/// One item of the ``itemsAPI(store:)``.
public struct Item: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var quantity: Int
}

/// What a client sends to create or replace an item.
struct ItemInput: Codable {
    var name: String
    var quantity: Int?
}
