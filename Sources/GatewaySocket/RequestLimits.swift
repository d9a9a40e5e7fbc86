import GatewayHTTP

/// Limits on what a client may send; each has a status when exceeded.
public struct RequestLimits: Sendable {
    /// Longest request line (-> 414).
    public var maxRequestLine = 8 * 1024
    /// Most header bytes in all (-> 431).
    public var maxHeaderBytes = 64 * 1024
    /// Most header lines (-> 431).
    public var maxHeaderCount = 100
    /// Largest request body (-> 413).
    public var maxBodyBytes = 64 * 1024 * 1024

    /// The defaults listed on each limit.
    public init() {}

    /// The same limits in the shared parser's terms.
    var parserLimits: RequestParser.Limits {
        var limits = RequestParser.Limits()
        limits.maxRequestLine = maxRequestLine
        limits.maxHeaderBytes = maxHeaderBytes
        limits.maxHeaderCount = maxHeaderCount
        limits.maxBodyBytes = maxBodyBytes
        return limits
    }
}
