/// A body produced on the fly, PEP 3333's generator.
///
/// ```swift
/// var left = 3
/// return StreamBody(next: {
///     guard left > 0 else { return nil }
///     left -= 1
///     return Array("tick\n".utf8)
/// }, onClose: { print("done") })
/// ```
public struct StreamBody: ResponseBody {
    private let next: () throws -> [UInt8]?
    private let onClose: (() -> Void)?

    /// A body whose chunks come from calling `next` until it returns nil;
    /// `onClose` runs once when the server is done with it.
    public init(next: @escaping () throws -> [UInt8]?, onClose: (() -> Void)? = nil) {
        self.next = next
        self.onClose = onClose
    }

    /// A body over any sequence of chunks, pulled lazily.
    public init<S: Sequence>(_ chunks: S, onClose: (() -> Void)? = nil) where S.Element: BodyChunk {
        var iterator = chunks.makeIterator()
        self.init(next: { iterator.next()?.chunkBytes }, onClose: onClose)
    }

    /// Calls `next` for each chunk.
    public func makeChunkIterator() -> any ChunkIterator { ClosureChunkIterator(produce: next) }

    /// Runs `onClose`, if any.
    public func close() { onClose?() }
}

private struct ClosureChunkIterator: ChunkIterator {
    let produce: () throws -> [UInt8]?
    mutating func next() throws -> [UInt8]? { try produce() }
}
