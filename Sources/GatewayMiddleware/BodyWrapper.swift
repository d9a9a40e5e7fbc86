import Gateway

/// A body that passes another body's chunks through `transform` and calls
/// `onClose` after the wrapped body's own `close()`: how middleware watches
/// or rewrites a body chunk by chunk without buffering it.
struct BodyWrapper: ResponseBody {
    let wrapped: any ResponseBody
    /// Maps each chunk; called with nil once at the end, where it may return
    /// a last chunk (or nil for none).
    let transform: ([UInt8]?) throws -> [UInt8]?
    let onClose: () -> Void
    /// The wrapped body's chunk count when `transform` keeps it (one chunk
    /// out per chunk in, nothing at the end): in-memory bodies stay so.
    let chunkCount: Int?

    init(wrapped: any ResponseBody, keepsChunkCount: Bool = false,
         transform: @escaping ([UInt8]?) throws -> [UInt8]?, onClose: @escaping () -> Void = {}) {
        self.wrapped = wrapped
        self.transform = transform
        self.onClose = onClose
        self.chunkCount = keepsChunkCount ? wrapped.chunkCount : nil
    }

    func makeChunkIterator() -> any ChunkIterator {
        Iterator(inner: wrapped.makeChunkIterator(), transform: transform)
    }

    func close() {
        wrapped.close()
        onClose()
    }

    private struct Iterator: ChunkIterator {
        var inner: any ChunkIterator
        let transform: ([UInt8]?) throws -> [UInt8]?
        var done = false

        mutating func next() throws -> [UInt8]? {
            guard !done else { return nil }
            if let chunk = try inner.next() {
                return try transform(chunk) ?? []
            }
            done = true
            return try transform(nil)
        }
    }
}
