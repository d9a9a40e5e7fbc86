/// What an application returns: the response body as a sequence of byte
/// chunks, with an optional `close()` (PEP 3333's iterable).
///
/// Arrays of strings or byte arrays are bodies already, so the simplest
/// application just returns `["Hello"]`. A body produced on the fly is a
/// ``StreamBody``; a file is a ``FileWrapper``.
///
/// The server pulls chunks one at a time, only as fast as the client takes
/// them, and calls ``close()`` exactly once when it is done with the body,
/// also after an error or a client that went away.
public protocol ResponseBody {
    /// Hands out the body's chunks in order; the server calls this once.
    func makeChunkIterator() -> any ChunkIterator
    /// How many chunks the body has, when known up front (PEP 3333's `len()`).
    /// A body of exactly one chunk gets a `Content-Length` without buffering.
    var chunkCount: Int? { get }
    /// Releases what the body holds; the server calls it exactly once.
    func close()
}

extension ResponseBody {
    /// Unknown by default: the server pulls chunks until the end.
    public var chunkCount: Int? { nil }
    /// Nothing to release by default.
    public func close() {}
}

/// Yields a body's chunks; `nil` ends the body, a throw aborts it.
public protocol ChunkIterator {
    /// The next chunk; `nil` at the end of the body. A throw aborts the response.
    mutating func next() throws -> [UInt8]?
}

/// A value that can be one chunk of a body: `String`, `Substring`, `[UInt8]`, `ArraySlice<UInt8>`.
public protocol BodyChunk {
    /// The chunk's bytes (UTF-8 for text).
    var chunkBytes: [UInt8] { get }
}

extension String: BodyChunk {
    /// The string's UTF-8 bytes.
    public var chunkBytes: [UInt8] { Array(utf8) }
}

extension Substring: BodyChunk {
    /// The substring's UTF-8 bytes.
    public var chunkBytes: [UInt8] { Array(utf8) }
}

extension Array: BodyChunk where Element == UInt8 {
    /// The bytes themselves.
    public var chunkBytes: [UInt8] { self }
}

extension ArraySlice: BodyChunk where Element == UInt8 {
    /// The bytes, copied into an array.
    public var chunkBytes: [UInt8] { Array(self) }
}

extension Array: ResponseBody where Element: BodyChunk {
    /// Hands out the array's elements in order, as bytes.
    public func makeChunkIterator() -> any ChunkIterator {
        ArrayChunkIterator(chunks: self)
    }

    /// The number of elements: known up front.
    public var chunkCount: Int? { count }
}

private struct ArrayChunkIterator<Chunk: BodyChunk>: ChunkIterator {
    let chunks: [Chunk]
    var index = 0

    mutating func next() throws -> [UInt8]? {
        guard index < chunks.count else { return nil }
        defer { index += 1 }
        return chunks[index].chunkBytes
    }
}
