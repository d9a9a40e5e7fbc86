/// Why a ``GatewayServer`` would not serve. Every server of the package
/// throws these from ``GatewayServer/serveForever()`` and
/// ``GatewayServer/handleRequest()``; errors of one server's own machinery
/// (libevent, `poll`) have types of their own.
///
/// ```swift
/// do {
///     try server.serveForever()
/// } catch GatewayServerError.alreadyRunning {
///     print("another thread serves already")
/// }
/// ```
public enum GatewayServerError: Error, Equatable, CustomStringConvertible {
    /// The server was closed (``GatewayServer/close()``): make a new one.
    case closed
    /// Another thread is in ``GatewayServer/serveForever()`` or
    /// ``GatewayServer/handleRequest()`` already.
    case alreadyRunning

    /// What went wrong, in words.
    public var description: String {
        switch self {
        case .closed: return "the server is closed"
        case .alreadyRunning: return "the server is already serving"
        }
    }
}
