/// A response body whose chunks are awaited: what an ``AsyncApplication``
/// returns to stream (an ``AsyncBody``). Servers pull it with `await`, one
/// chunk at a time, the next only once the client took the last.
public protocol AsyncResponseBody: ResponseBody {
    /// Hands out the body's chunks in order; the server calls this once.
    func makeAsyncChunkIterator() -> any AsyncChunkIterator
}

/// Yields an async body's chunks; `nil` ends the body, a throw aborts it.
public protocol AsyncChunkIterator {
    /// The next chunk; `nil` at the end of the body. A throw aborts the response.
    mutating func next() async throws -> [UInt8]?
}

/// A response body from an `AsyncSequence` of chunks, or from a closure
/// awaited for each chunk: an async application's stream.
///
/// ```swift
/// let ticks = AsyncStream<String> { continuation in ... }
/// try startResponse("200 OK", [("Content-Type", "text/plain")])
/// return AsyncBody(ticks, onClose: { print("done") })
/// ```
///
/// The server pulls a chunk only once the client took the one before; a
/// client that leaves cancels the task awaiting the next chunk, and
/// `onClose` runs exactly once, however the response ended.
public struct AsyncBody: AsyncResponseBody {
    private let makeIterator: () -> any AsyncChunkIterator
    private let onClose: (() -> Void)?

    /// A body over `chunks`, pulled lazily.
    public init<Chunks: AsyncSequence>(_ chunks: Chunks, onClose: (() -> Void)? = nil) where Chunks.Element: BodyChunk {
        self.makeIterator = { SequenceChunks(base: chunks.makeAsyncIterator()) }
        self.onClose = onClose
    }

    /// A body whose chunks come from awaiting `next` until it returns nil.
    public init(next: @escaping () async throws -> [UInt8]?, onClose: (() -> Void)? = nil) {
        self.makeIterator = { ClosureChunks(produce: next) }
        self.onClose = onClose
    }

    /// A synchronous body whose chunks are pulled on a thread for blocking work.
    init(blocking body: any ResponseBody) {
        let chunks = BlockingPull(body.makeChunkIterator())
        self.makeIterator = { ClosureChunks(produce: chunks.next) }
        self.onClose = body.close
    }

    /// Hands out the chunks.
    public func makeAsyncChunkIterator() -> any AsyncChunkIterator { makeIterator() }

    /// For a synchronous server path only: each chunk is awaited while the
    /// calling thread blocks. Servers pull async bodies with `await` instead.
    public func makeChunkIterator() -> any ChunkIterator { BlockingChunks(base: makeIterator()) }

    /// Runs `onClose`, if any.
    public func close() { onClose?() }
}

private struct SequenceChunks<Base: AsyncIteratorProtocol>: AsyncChunkIterator where Base.Element: BodyChunk {
    var base: Base
    mutating func next() async throws -> [UInt8]? { try await base.next()?.chunkBytes }
}

private struct ClosureChunks: AsyncChunkIterator {
    let produce: () async throws -> [UInt8]?
    mutating func next() async throws -> [UInt8]? { try await produce() }
}

/// Waits for each chunk of an async body on the calling thread.
private struct BlockingChunks: ChunkIterator {
    let base: AsyncChunkPull

    init(base: any AsyncChunkIterator) { self.base = AsyncChunkPull(base) }

    mutating func next() throws -> [UInt8]? {
        let pull = UnsafeTransfer(base)
        return try waitFor { try await pull.value.next() }
    }
}

/// A synchronous iterator advanced on a thread for blocking work.
private final class BlockingPull {
    private var iterator: any ChunkIterator
    init(_ iterator: any ChunkIterator) { self.iterator = iterator }

    func next() async throws -> [UInt8]? {
        let pull = UnsafeTransfer(self)
        return try await BlockingWork.run { try pull.value.iterator.next() }.value
    }
}
