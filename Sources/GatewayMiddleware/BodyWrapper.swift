import Gateway

/// A body that passes another body's chunks through `transform` and calls
/// `onClose` after the wrapped body's own `close()`: how middleware watches
/// or rewrites a body chunk by chunk without buffering it. Made by
/// ``wrapBody(_:keepsChunkCount:transform:onClose:)``, which keeps an async
/// body async (``AsyncBodyWrapper``).
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

/// ``BodyWrapper`` for an ``AsyncResponseBody``: the same transform, applied
/// as each chunk is awaited, so the body stays async (the server awaits it
/// instead of blocking a thread on it). `close()` reaches the wrapped body
/// and `onClose` once, however often it is called.
struct AsyncBodyWrapper: AsyncResponseBody {
    let wrapped: any AsyncResponseBody
    let transform: ([UInt8]?) throws -> [UInt8]?
    let onClose: () -> Void
    let chunkCount: Int?
    private let once = Once()

    init(wrapped: any AsyncResponseBody, keepsChunkCount: Bool = false,
         transform: @escaping ([UInt8]?) throws -> [UInt8]?, onClose: @escaping () -> Void = {}) {
        self.wrapped = wrapped
        self.transform = transform
        self.onClose = onClose
        self.chunkCount = keepsChunkCount ? wrapped.chunkCount : nil
    }

    func makeAsyncChunkIterator() -> any AsyncChunkIterator {
        Iterator(inner: wrapped.makeAsyncChunkIterator(), transform: transform)
    }

    /// For a synchronous server path only (see `AsyncBody/makeChunkIterator()`):
    /// the wrapped body's own blocking iterator, transformed.
    func makeChunkIterator() -> any ChunkIterator {
        BodyWrapper(wrapped: wrapped, transform: transform).makeChunkIterator()
    }

    func close() {
        once.run {
            wrapped.close()
            onClose()
        }
    }

    private struct Iterator: AsyncChunkIterator {
        var inner: any AsyncChunkIterator
        let transform: ([UInt8]?) throws -> [UInt8]?
        var done = false

        mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            if let chunk = try await inner.next() {
                return try transform(chunk) ?? []
            }
            done = true
            return try transform(nil)
        }
    }
}

/// `body` with each chunk passed through `transform` (nil at the end, where
/// it may add a last chunk) and `onClose` run after its own `close()`: a
/// ``BodyWrapper``, or an ``AsyncBodyWrapper`` when `body` is async, so the
/// one transform serves both kinds of application.
func wrapBody(_ body: any ResponseBody, keepsChunkCount: Bool = false,
              transform: @escaping ([UInt8]?) throws -> [UInt8]?,
              onClose: @escaping () -> Void = {}) -> any ResponseBody {
    if let stream = body as? any AsyncResponseBody {
        return AsyncBodyWrapper(wrapped: stream, keepsChunkCount: keepsChunkCount, transform: transform, onClose: onClose)
    }
    return BodyWrapper(wrapped: body, keepsChunkCount: keepsChunkCount, transform: transform, onClose: onClose)
}
