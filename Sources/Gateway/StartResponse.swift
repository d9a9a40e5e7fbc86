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
public final class StartResponse {
    /// The status the application chose, once it called.
    public private(set) var status: ResponseStatus?
    /// The headers the application gave, in order, repeats kept.
    public private(set) var headers: [(String, String)] = []
    /// True once the headers count as sent: data went through `write`, or
    /// the server committed to the response.
    public internal(set) var headersSent = false
    /// Bytes given to `write`, waiting for the server to send them.
    var written: [[UInt8]] = []

    /// Creates one for one response; servers do this, applications receive it.
    public init() {}

    @discardableResult
    public func callAsFunction(
        _ status: String,
        _ headers: [(String, String)],
        excInfo: (any Error)? = nil
    ) throws -> ResponseWriter {
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
        return ResponseWriter(owner: self)
    }

    func write(_ bytes: [UInt8]) throws {
        guard status != nil else { throw GatewayError.writeBeforeStartResponse }
        guard !bytes.isEmpty else { return }
        headersSent = true
        written.append(bytes)
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
    let owner: StartResponse

    public func callAsFunction(_ chunk: some BodyChunk) throws {
        try owner.write(chunk.chunkBytes)
    }
}
