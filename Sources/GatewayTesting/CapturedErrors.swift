import Gateway

/// A `wsgi.errors` that keeps what is written, for tests to read.
///
/// ```swift
/// let errors = CapturedErrors()
/// var configuration = EventServerConfiguration(port: 0)
/// configuration.errors = errors
/// ...
/// #expect(errors.text.contains("probe-error-marker"))
/// ```
public final class CapturedErrors: ErrorOutput {
    private let storage = Locked("")

    /// An empty capture.
    public init() {}

    /// Appends `text` (from any thread) to what ``text`` returns.
    public func write(_ text: String) {
        storage.withLock { $0 += text }
    }

    /// Everything written so far.
    public var text: String { storage.withLock { $0 } }
}
