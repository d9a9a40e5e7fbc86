/// The open connections of one loop, for what concerns them all: the
/// count against the connection cap, and a stop (close the idle ones, wait
/// for the arriving ones, free the rest). Adding and removing cost O(1);
/// nothing walks it while serving.
struct ConnectionTable {
    private var connections: [ClientConnection] = []

    var count: Int { connections.count }

    /// Every open connection, as a copy (closing one while walking is fine).
    var all: [ClientConnection] { connections }

    mutating func add(_ connection: ClientConnection) {
        connection.index = connections.count
        connections.append(connection)
    }

    /// Removes `connection`, moving the last one into its place.
    mutating func remove(_ connection: ClientConnection) {
        let index = connection.index
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.index = index
        }
        connection.index = -1
    }
}
