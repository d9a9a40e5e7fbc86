import Gateway
import GatewayTesting

/// Records what a Handler sends, as a blocking server's transport would.
final class RecordingTransport: ResponseTransport {
    var head: ResponseHead?
    var chunks: [[UInt8]] = []
    var finished = false
    var aborted = false

    func sendHead(_ head: ResponseHead) throws { self.head = head }
    func sendChunk(_ chunk: [UInt8]) throws { chunks.append(chunk) }
    func finish() throws { finished = true }
    func abort() { aborted = true }

    var body: String { String(decoding: chunks.joined(), as: UTF8.self) }
    func header(_ name: String) -> String? { head?.value(of: name) }
}

/// A body that records whether close() was called.
final class TrackedBody: ResponseBody, @unchecked Sendable {
    private var chunks: [String]
    private let failAfter: Int?
    private(set) var closeCount = 0
    private(set) var pulled = 0

    init(_ chunks: [String], failAfter: Int? = nil) {
        self.chunks = chunks
        self.failAfter = failAfter
    }

    func makeChunkIterator() -> any ChunkIterator { Iterator(owner: self) }
    func close() { closeCount += 1 }

    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom-marker" }
    }

    fileprivate func next() throws -> [UInt8]? {
        if let failAfter, pulled >= failAfter { throw Boom() }
        guard !chunks.isEmpty else { return nil }
        pulled += 1
        return Array(chunks.removeFirst().utf8)
    }

    private struct Iterator: ChunkIterator {
        let owner: TrackedBody
        mutating func next() throws -> [UInt8]? { try owner.next() }
    }
}

/// Runs `app` for one request through a Handler and a recording transport.
func run(
    _ app: Application, method: String = "GET", proto: String = "HTTP/1.1",
    errors: CapturedErrors = CapturedErrors()
) -> (RecordingTransport, CapturedErrors) {
    var environ = Environ(errors: errors)
    setupTestingDefaults(&environ)
    environ["REQUEST_METHOD"] = method
    environ["SERVER_PROTOCOL"] = proto
    let transport = RecordingTransport()
    try? Handler(environ: environ, serverSoftware: "Test/1").run(app, on: transport)
    return (transport, errors)
}
