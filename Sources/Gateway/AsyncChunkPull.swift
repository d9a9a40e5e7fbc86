/// An async body's iterator held by reference, so that successive tasks
/// can advance it in turn (a blocking bridge pulls each chunk in a task of its own).
package final class AsyncChunkPull {
    private var iterator: any AsyncChunkIterator
    package init(_ iterator: any AsyncChunkIterator) { self.iterator = iterator }
    package func next() async throws -> [UInt8]? { try await iterator.next() }
}
