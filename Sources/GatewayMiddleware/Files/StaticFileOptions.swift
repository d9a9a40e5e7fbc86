/// Settings of ``staticFiles(root:options:)``.
///
/// ```swift
/// var options = StaticFileOptions()
/// options.cacheControl = "public, max-age=3600"
/// ```
public struct StaticFileOptions: Sendable {
    /// The `Cache-Control` value sent with files (and their 304s); nil sends none.
    public var cacheControl: String?
    /// The file served for a folder's URL (which must end in `/`).
    public var indexFile = "index.html"

    /// Options with this `Cache-Control` value (nil: none) and `index.html` as the index file.
    public init(cacheControl: String? = nil) {
        self.cacheControl = cacheControl
    }
}
