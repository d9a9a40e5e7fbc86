#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a socket could not be set up.
package enum SocketError: Error, Equatable, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case bind(host: String, port: Int, errno: Int32)
    case unknownGroup(String)
    case permissions(path: String, errno: Int32)

    package var description: String {
        switch self {
        case .resolve(let host, let reason):
            return "cannot resolve \(host.debugDescription): \(reason)"
        case .bind(let host, let port, let code):
            return "cannot listen on \(host):\(port): \(String(cString: strerror(code)))"
        case .unknownGroup(let name):
            return "unknown group \(name.debugDescription) for the unix socket"
        case .permissions(let path, let code):
            return "cannot set the owner or mode of \(path): \(String(cString: strerror(code)))"
        }
    }
}
