/// Settings of the ``gzip(_:)`` middleware.
///
/// ```swift
/// var options = GzipOptions()
/// options.level = 9
/// options.decompressRequests = true
/// let app = gzip(options)(myApp)
/// ```
public struct GzipOptions: Sendable {
    /// zlib's compression level, 1 (fastest) to 9 (smallest).
    public var level: Int32 = 6
    /// Bodies of known length below this many bytes go out as they are
    /// (gzip's header and trailer would eat the gain).
    public var minimumLength = 1024
    /// Media types worth compressing: an entry ending in `/` is a prefix
    /// (`text/`), others match the type exactly; `+json` and `+xml`
    /// structured-syntax types always qualify.
    public var compressibleTypes: [String] = [
        "text/", "application/json", "application/javascript", "application/x-javascript",
        "application/ecmascript", "application/xml", "application/xhtml+xml", "image/svg+xml",
        "application/wasm", "application/x-ndjson", "application/graphql", "font/ttf", "font/otf",
        "image/x-icon", "image/bmp", "application/vnd.ms-fontobject",
    ]
    /// Media types never compressed even when they match above: server-sent
    /// events must reach the client event by event.
    public var excludedTypes: [String] = ["text/event-stream"]
    /// Decompress request bodies sent with `Content-Encoding: gzip` (or
    /// `deflate`) before the application reads them. Off: such bodies reach
    /// the application as sent.
    public var decompressRequests = false
    /// Largest decompressed request body; past it: 413.
    public var maxDecompressedBytes = 8 * 1024 * 1024
    /// Largest ratio of decompressed to compressed size; past it: 413
    /// (a few KB of zeros must not become gigabytes).
    public var maxDecompressionRatio = 100

    /// The defaults listed on each setting.
    public init() {}

    /// True for a `Content-Type` value this middleware would compress.
    public func isCompressible(contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        guard !type.isEmpty, !excludedTypes.contains(type) else { return false }
        if type.hasSuffix("+json") || type.hasSuffix("+xml") { return true }
        return compressibleTypes.contains { $0.hasSuffix("/") ? type.hasPrefix($0) : type == $0 }
    }
}
