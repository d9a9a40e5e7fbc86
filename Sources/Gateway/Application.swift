/// A gateway application: PEP 3333's `application(environ, start_response)`.
///
/// The server calls it once per request with the request's ``Environ`` and a
/// ``StartResponse``. The application calls `startResponse` with a status and
/// headers, then returns the body as a ``ResponseBody`` (any array of strings
/// or byte arrays works). The same application runs unchanged on every server
/// of the package.
///
/// ```swift
/// let hello: Application = { environ, startResponse in
///     try startResponse("200 OK", [("Content-Type", "text/plain")])
///     return ["Hello, \(environ["PATH_INFO"] ?? "/")\n"]
/// }
/// ```
///
/// Applications are shared by every thread a server runs, so they must be
/// `@Sendable`; a throw before the headers went out becomes a 500 response,
/// a throw after closes the connection.
public typealias Application = @Sendable (Environ, StartResponse) throws -> any ResponseBody
