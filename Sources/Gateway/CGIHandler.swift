#if canImport(Glibc)
import Glibc
#endif

/// wsgiref.handlers.CGIHandler: runs an application once as a CGI program.
/// The environ comes from the CGI variables, the body from standard input
/// (at most `CONTENT_LENGTH` bytes), and the response goes to standard output
/// with a `Status:` line, for the web server in front to frame and to give
/// its `Date` and `Server` headers.
///
/// ```swift
/// // a CGI script
/// CGIHandler().run(myApp)
/// ```
public struct CGIHandler {
    private let environment: [String: String]
    private let input: RequestInput
    private let output: ([UInt8]) -> Void
    private let errors: any ErrorOutput

    /// A handler over this process: its environment, stdin, stdout, stderr.
    public init() {
        let environment = CGIHandler.processEnvironment()
        // RFC 3875 §4.2: no (valid) CONTENT_LENGTH means no body. Never read
        // past it: the web server may have handed over the client's socket.
        var remaining = Int(environment["CONTENT_LENGTH"] ?? "").map { Swift.max($0, 0) } ?? 0
        self.init(
            environment: environment,
            input: RequestInput(source: { wanted in
                let count = Swift.min(wanted, remaining)
                guard count > 0 else { return [] }
                let bytes = readDescriptor(0, upTo: count)
                remaining -= bytes.count
                return bytes
            }),
            output: { writeDescriptor(1, $0) },
            errors: StandardErrorOutput.shared)
    }

    /// A handler over given streams (wsgiref's `BaseCGIHandler`).
    public init(
        environment: [String: String], input: RequestInput,
        output: @escaping ([UInt8]) -> Void, errors: any ErrorOutput
    ) {
        self.environment = environment
        self.input = input
        self.output = output
        self.errors = errors
    }

    /// Runs `app` for the one request and writes its response.
    public func run(_ app: Application) {
        try? makeHandler().run(app, on: CGITransport(output: output))
    }

    /// Runs a sync or async application (or the one a choice names) for the
    /// one request; the program's thread waits for an async one's steps.
    ///
    /// ```swift
    /// CGIHandler().run(.async(myAsyncApp))
    /// ```
    public func run(_ app: AnyApplication) {
        let handler = makeHandler()
        switch app.resolved(for: handler.environ) {
        case .sync(let app): try? handler.run(app, on: CGITransport(output: output))
        case .async(let app): try? handler.run(app, on: CGITransport(output: output))
        case .choosing: break  // resolved(for:) never answers a choice
        }
    }

    private func makeHandler() -> Handler {
        var environ = Environ(
            variables: EnvironVariables(environment), input: input, errors: errors, urlScheme: "http",
            multithread: false, multiprocess: true, runOnce: true, inputTerminated: true)
        environ.urlScheme = guessScheme(environ)
        // A CGI response is framed by the web server: say HTTP/1.0 so the
        // handler never asks for chunked coding.
        if environ["SERVER_PROTOCOL"] == nil { environ["SERVER_PROTOCOL"] = "HTTP/1.0" }
        return Handler(environ: environ, serverSoftware: nil)
    }

    /// The process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for pointer in readEnvironmentBlock() {
            let text = String(cString: pointer)
            guard let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }
}

/// Writes the CGI response: a `Status:` line and the headers, then the body
/// bytes as they come (no framing of our own).
private struct CGITransport: ResponseTransport {
    let output: ([UInt8]) -> Void

    func sendHead(_ head: ResponseHead) throws {
        // The web server adds Date and Server (RFC 3875 §6.3): ours would go
        // out twice. An application's own pass as they are.
        var head = head
        head.added.date = nil
        head.added.server = nil
        var text = "Status: \(head.status.line)\r\n"
        for (name, value) in head.headers { text += "\(name): \(value)\r\n" }
        output(Array((text + "\r\n").utf8))
    }

    func sendChunk(_ chunk: [UInt8]) throws { output(chunk) }
    func finish() throws {}
    func abort() {}
}

/// Walks the C `environ` block.
private func readEnvironmentBlock() -> AnyIterator<UnsafeMutablePointer<CChar>> {
    nonisolated(unsafe) var cursor: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = Glibc.environ
    return AnyIterator {
        guard let current = cursor, let entry = current.pointee else { return nil }
        cursor = current + 1
        return entry
    }
}

private func readDescriptor(_ fd: Int32, upTo count: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
        filled = 0
        while true {
            let got = read(fd, buffer.baseAddress, count)
            if got < 0 && errno == EINTR { continue }
            filled = Swift.max(got, 0)
            return
        }
    }
}

private func writeDescriptor(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}
