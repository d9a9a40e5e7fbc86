/// `wsgi.input`: the request body as a readable stream.
///
/// Reads never go past the end of the body: once it is consumed every read
/// returns an empty array.
///
/// ```swift
/// let all = try environ.input.read()          // the whole body
/// let head = try environ.input.read(16)       // at most 16 bytes
/// let line = try environ.input.readLine()     // up to and including "\n"
/// for line in environ.input { ... }           // line by line
/// ```
///
/// An ``AsyncApplication`` reads the same way with `await`, or chunk by
/// chunk as the body arrives:
///
/// ```swift
/// let all = try await environ.input.read()
/// for try await chunk in environ.input.chunks { hasher.update(chunk) }
/// ```
public final class RequestInput {
    /// Reads up to `n` more bytes of the body; an empty array means the end.
    public typealias Source = (_ n: Int) throws -> [UInt8]

    private var buffer: [UInt8]
    private var position = 0
    private var source: Source?
    /// The body as it arrives, for an async application.
    private var stream: RequestBodyStream?

    /// An input over a body already in memory.
    public init(_ body: [UInt8] = []) {
        self.buffer = body
    }

    /// An input over `body`; the one shared empty input when there is none
    /// (most requests: a server saves an object a request). Sharing it is
    /// safe because reading an empty input with no source writes nothing.
    package static func holding(_ body: [UInt8]) -> RequestInput {
        body.isEmpty ? empty : RequestInput(body)
    }

    // Read-only in use: every read of an input with no bytes and no source
    // returns before it stores anything (see `take` and `fill`).
    nonisolated(unsafe) private static let empty = RequestInput()

    /// An input that pulls the body from `source` as the application reads
    /// (servers that stream request bodies use this).
    public init(source: @escaping Source) {
        self.buffer = []
        self.source = source
    }

    /// An input over a body that arrives while it is read (a server
    /// streaming the request to an async application).
    package init(stream: RequestBodyStream) {
        self.buffer = []
        self.stream = stream
    }

    /// Reads `count` bytes, fewer at the end of the body; `nil` reads to the end.
    public func read(_ count: Int? = nil) throws -> [UInt8] {
        if let count {
            if count <= 0 { return [] }
            while available < count, try fill(count - available) {}
            return take(Swift.min(count, available))
        }
        while try fill(64 * 1024) {}
        return take(available)
    }

    /// Reads one line, including its `\n`, or at most `limit` bytes.
    public func readLine(limit: Int? = nil) throws -> [UInt8] {
        let cap = limit.map { Swift.max($0, 0) } ?? Int.max
        var scanned = 0
        while true {
            let end = Swift.min(available, cap)
            if let newline = buffer[(position + scanned)..<(position + end)].firstIndex(of: UInt8(ascii: "\n")) {
                return take(newline - position + 1)
            }
            scanned = end
            if end >= cap { return take(cap) }
            if !(try fill(8 * 1024)) { return take(available) }
        }
    }

    /// Reads every remaining line (PEP 3333's `readlines`).
    public func readLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while case let line = try readLine(), !line.isEmpty { lines.append(line) }
        return lines
    }

    private var available: Int { buffer.count - position }

    /// Pulls more bytes from the source; false at the end of the body.
    private func fill(_ hint: Int) throws -> Bool {
        if let stream { return append(try stream.nextBlocking()) }
        guard let source else { return false }
        return append(try source(Swift.max(hint, 4096)))
    }

    /// Keeps bytes just pulled; false (and no more pulling) at the end.
    private func append(_ more: [UInt8]?) -> Bool {
        guard let more, !more.isEmpty else {
            source = nil
            stream = nil
            return false
        }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: more)
        return true
    }

    private func take(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }  // stores nothing: the shared empty input stays untouched
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        return bytes
    }
}

// MARK: - Async reads

extension RequestInput {
    /// Reads `count` bytes, fewer at the end of the body; `nil` reads to the
    /// end. Waits for the bytes without blocking a thread.
    public func read(_ count: Int? = nil) async throws -> [UInt8] {
        if let count {
            if count <= 0 { return [] }
            while available < count, try await fill() {}
            return take(Swift.min(count, available))
        }
        while try await fill() {}
        return take(available)
    }

    /// Reads one line, including its `\n`, or at most `limit` bytes.
    public func readLine(limit: Int? = nil) async throws -> [UInt8] {
        let cap = limit.map { Swift.max($0, 0) } ?? Int.max
        var scanned = 0
        while true {
            let end = Swift.min(available, cap)
            if let newline = buffer[(position + scanned)..<(position + end)].firstIndex(of: UInt8(ascii: "\n")) {
                return take(newline - position + 1)
            }
            scanned = end
            if end >= cap { return take(cap) }
            if !(try await fill()) { return take(available) }
        }
    }

    /// The body's bytes as they arrive: `for try await chunk in environ.input.chunks`.
    /// Bytes already read by the other calls are not repeated.
    public var chunks: Chunks { Chunks(input: self) }

    /// The request body as an `AsyncSequence` of byte chunks (see ``chunks``).
    public struct Chunks: AsyncSequence {
        /// A chunk of the body.
        public typealias Element = [UInt8]
        let input: RequestInput

        /// Iterates the chunks.
        public func makeAsyncIterator() -> Iterator { Iterator(input: input) }

        /// Yields the next chunk; nil at the end of the body.
        public struct Iterator: AsyncIteratorProtocol {
            let input: RequestInput
            /// The next chunk of the body, waiting for it to arrive.
            public mutating func next() async throws -> [UInt8]? {
                if input.available == 0, let stream = input.stream {
                    // Straight from the stream: no copy through the buffer.
                    guard let chunk = try await stream.next() else {
                        _ = input.append(nil)
                        return nil
                    }
                    return chunk
                }
                if input.available == 0, !(try await input.fill()) { return nil }
                return input.take(input.available)
            }
        }
    }

    /// Pulls more bytes, awaiting a streamed body; false at the end.
    private func fill() async throws -> Bool {
        if let stream { return append(try await stream.next()) }
        return try fill(64 * 1024)
    }
}

extension RequestInput: Sequence {
    /// Iterates the body line by line; a read error ends the iteration.
    public func makeIterator() -> AnyIterator<[UInt8]> {
        AnyIterator { [self] in
            guard let line = try? readLine(), !line.isEmpty else { return nil }
            return line
        }
    }
}
