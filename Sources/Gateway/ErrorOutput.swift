/// `wsgi.errors`: a text stream for diagnostics.
///
/// ```swift
/// environ.errors.write("cache miss for \(key)\n")
/// ```
public protocol ErrorOutput: AnyObject, Sendable {
    /// Writes text as is (add your own newline).
    func write(_ text: String)
    /// Pushes out anything buffered.
    func flush()
}

extension ErrorOutput {
    /// Nothing to push out: the default for unbuffered outputs.
    public func flush() {}
}
