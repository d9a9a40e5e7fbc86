/// PEP 3333's `start_response`: the application calls it once with the status
/// line and the headers, before the body's first chunk.
///
/// ```swift
/// try startResponse("200 OK", [("Content-Type", "text/plain")])
/// ```
///
/// Calling it again is allowed only with `excInfo`, to replace the response by
/// an error page while nothing has been sent; once bytes are out, the call
/// rethrows `excInfo` and the server closes the connection. Status and headers
/// are checked here, so a bad one surfaces in the application as an error.
///
/// It returns the legacy `write` function (``ResponseWriter``); new code
/// should return its body instead.
///
/// A value (no allocation per request); copies share the response they start.
///
/// Middleware wraps one by creating its own around the server's:
///
/// ```swift
/// let tagged = StartResponse { status, headers, excInfo in
///     try startResponse(status, headers + [("X-Served-By", "edge")], excInfo: excInfo)
/// }
/// ```
public struct StartResponse {
    /// What a start_response does with the status, the headers and `excInfo`.
    public typealias Implementation = (_ status: String, _ headers: [(String, String)], _ excInfo: (any Error)?) throws -> ResponseWriter

    /// The server's own record, called directly on the hot path; or
    /// middleware's closure.
    private enum Target {
        /// The record, and which of its responses this one is (a server may
        /// reuse the record for the connection's next request).
        case server(ResponseState, generation: UInt32)
        case custom(Implementation)
    }
    private let target: Target

    /// A start_response that runs `implementation`; middleware makes these.
    public init(_ implementation: @escaping Implementation) {
        target = .custom(implementation)
    }

    init(state: ResponseState) {
        target = .server(state, generation: state.generation)
    }

    /// Starts the response: `try startResponse("200 OK", [("Content-Type", "text/plain")])`.
    /// Throws ``GatewayError`` for a malformed status or header, or `excInfo`
    /// when it is given after the headers went out.
    @discardableResult
    public func callAsFunction(
        _ status: String,
        _ headers: [(String, String)],
        excInfo: (any Error)? = nil
    ) throws -> ResponseWriter {
        switch target {
        case .server(let state, let generation):
            try state.checkCurrent(generation)
            try state.start(status, headers, excInfo)
            return ResponseWriter(state: state)
        case .custom(let implementation):
            return try implementation(status, headers, excInfo)
        }
    }

    /// Starts the response with a typed status: `try startResponse(.notFound, headers)`.
    /// The same as passing its line (`"404 Not Found"`), checked the same way.
    @discardableResult
    public func callAsFunction(
        _ status: ResponseStatus,
        _ headers: [(String, String)],
        excInfo: (any Error)? = nil
    ) throws -> ResponseWriter {
        try callAsFunction(status.line, headers, excInfo: excInfo)
    }
}

/// PEP 3333's legacy `write(data)`, returned by ``StartResponse``: sends data
/// ahead of the returned body.
///
/// ```swift
/// let write = try startResponse("200 OK", [("Content-Type", "text/plain")])
/// try write("first line\n")
/// return [String]()
/// ```
public struct ResponseWriter {
    private enum Target {
        case server(ResponseState, generation: UInt32)
        case custom(([UInt8]) throws -> Void)
    }
    private let target: Target

    /// A writer that passes each chunk's bytes to `write`.
    public init(_ write: @escaping ([UInt8]) throws -> Void) {
        target = .custom(write)
    }

    init(state: ResponseState) {
        target = .server(state, generation: state.generation)
    }

    /// Sends `chunk` ahead of the returned body: `try write("partial\n")`.
    public func callAsFunction(_ chunk: some BodyChunk) throws {
        switch target {
        case .server(let state, let generation):
            try state.checkCurrent(generation)
            try state.write(chunk.chunkBytes)
        case .custom(let write): try write(chunk.chunkBytes)
        }
    }
}

/// The server's record of what the application asked for: the state behind
/// the ``StartResponse`` a ``Handler`` gives the application. A `Handler` is
/// one (a subclass), so that a request allocates one object for both.
package class ResponseState {
    @exclusivity(unchecked) final private(set) var status: ResponseStatus?
    @exclusivity(unchecked) final private(set) var headers: [(String, String)] = []
    /// True once the headers count as sent: data went through `write`, or
    /// the server committed to the response.
    @exclusivity(unchecked) final var headersSent = false
    /// Bytes given to `write`, waiting for the server to send them.
    @exclusivity(unchecked) final var written: [[UInt8]] = []
    /// Which response the record is for: a server that reuses it for the
    /// next request moves this on, so a `start_response` or `write` an
    /// application kept from an earlier request cannot touch the new one.
    @exclusivity(unchecked) final private(set) var generation: UInt32 = 0

    package init() {}

    /// Ready for another response.
    final func clearForNextResponse() {
        status = nil
        headers = []
        headersSent = false
        written = []
        generation &+= 1
    }

    final func checkCurrent(_ generation: UInt32) throws {
        guard generation == self.generation else { throw GatewayError.responseOver }
    }

    final func makeStartResponse() -> StartResponse {
        StartResponse(state: self)
    }

    final func start(_ status: String, _ headers: [(String, String)], _ excInfo: (any Error)?) throws {
        if let excInfo {
            if headersSent { throw excInfo }
        } else if self.status != nil {
            throw GatewayError.startResponseCalledTwice
        }
        let parsed = try ResponseStatus(parsing: status)
        for (name, value) in headers {
            try validateResponseHeader(name: name, value: value)
        }
        self.status = parsed
        self.headers = headers
    }

    final func write(_ bytes: [UInt8]) throws {
        guard status != nil else { throw GatewayError.writeBeforeStartResponse }
        guard !bytes.isEmpty else { return }
        headersSent = true
        written.append(bytes)
    }
}
