import Gateway

/// A start_response that records the application's call instead of passing
/// it on, so middleware can decide the head after seeing the returned body
/// (its length, its type). ``commit(_:)`` passes the recorded call on.
///
/// The legacy `write` commits at once (its data counts as sent), through
/// `onWrite`, which may rewrite the bytes (gzip compresses them).
final class DeferredStart {
    private let inner: StartResponse
    private(set) var status: String?
    private(set) var headers: [(String, String)] = []
    private var excInfo: (any Error)?
    private var writer: ResponseWriter?
    var committed: Bool { writer != nil }
    /// Rewrites the recorded head just before it goes on; set by the middleware.
    var decide: (_ status: String, _ headers: [(String, String)]) -> (String, [(String, String)]) = { ($0, $1) }
    /// Pass each call on at once (the application returned before calling).
    var commitOnStart = false
    /// Rewrites bytes given to the legacy `write`.
    var onWrite: ([UInt8]) throws -> [UInt8] = { $0 }

    init(_ inner: StartResponse) {
        self.inner = inner
    }

    /// The start_response to give the application.
    var startResponse: StartResponse {
        StartResponse { [self] status, headers, excInfo in
            if committed {
                // Too late to change our decision: let the server judge
                // (it rethrows excInfo once bytes are out).
                let (finalStatus, finalHeaders) = decide(status, headers)
                writer = try inner(finalStatus, finalHeaders, excInfo: excInfo)
            } else {
                if excInfo == nil, self.status != nil { throw GatewayError.startResponseCalledTwice }
                self.status = status
                self.headers = headers
                self.excInfo = excInfo
                if commitOnStart { try commit() }
            }
            return ResponseWriter { [self] bytes in
                let writer = try commit()
                let rewritten = try onWrite(bytes)
                if !rewritten.isEmpty { try writer(rewritten) }
            }
        }
    }

    /// Passes the recorded call on (once) and returns the server's writer.
    @discardableResult
    func commit() throws -> ResponseWriter {
        if let writer { return writer }
        guard let status else { throw GatewayError.writeBeforeStartResponse }
        let (finalStatus, finalHeaders) = decide(status, headers)
        let made = try inner(finalStatus, finalHeaders, excInfo: excInfo)
        writer = made
        return made
    }
}
