/// Limits on what `parseForm(_:limits:)` accepts. Past a limit: ``FormError/tooLarge(_:)`` (413).
///
/// ```swift
/// var limits = FormLimits()
/// limits.maxBodyBytes = 100 * 1024 * 1024   // 100 MiB uploads
/// let form = try parseForm(environ, limits: limits)
/// ```
public struct FormLimits: Sendable {
    /// The whole request body.
    public var maxBodyBytes = 16 * 1024 * 1024
    /// Parts of a multipart body (fields and files together).
    public var maxParts = 1000
    /// One field that is not a file (and a whole urlencoded body's field).
    public var maxFieldBytes = 1024 * 1024
    /// The header lines of one multipart part, together.
    public var maxPartHeaderBytes = 8 * 1024
    /// The multipart boundary (RFC 2046 allows 70).
    public var maxBoundaryLength = 70
    /// A file part larger than this moves from memory to a temporary file.
    public var memoryThreshold = 1024 * 1024
    /// Where temporary files go (created 0600, deleted on close).
    public var temporaryDirectory = "/tmp"

    /// The defaults listed on each limit.
    public init() {}
}
