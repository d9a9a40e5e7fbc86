/// An error in the request itself, found while the application read it (a
/// malformed chunk, a body over the size limit, a client that stopped
/// sending). Servers' `wsgi.input` throws these; when the application lets
/// one through, the server answers with its 4xx ``status`` instead of a
/// 500, and the connection is closed.
///
/// ```swift
/// do {
///     body = try environ.input.read()
/// } catch let error as any RequestError {
///     environ.errors.write("unreadable request body: \(error.status)\n")
///     throw error                     // the server answers error.status
/// }
/// ```
public protocol RequestError: Error {
    /// The 4xx status that describes the problem (400, 408, 413, ...).
    var status: Int { get }
}
