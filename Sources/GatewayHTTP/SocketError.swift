#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a socket could not be set up.
package enum SocketError: Error, Equatable, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case bind(host: String, port: Int, errno: Int32)
    /// A unix-domain socket at `path` could not be made or listened on.
    case unixSocket(path: String, errno: Int32)
    case unknownGroup(String)
    case permissions(path: String, errno: Int32)

    package var description: String {
        switch self {
        case .resolve(let host, let reason):
            return "cannot resolve \(host.debugDescription): \(reason)"
        case .bind(let host, let port, let code):
            return "cannot listen on \(host):\(port): \(String(cString: strerror(code)))"
        case .unixSocket(let path, let code):
            return "cannot listen on unix:\(path): \(Self.unixReason(path: path, errno: code))"
        case .unknownGroup(let name):
            return "unknown group \(name.debugDescription) for the unix socket"
        case .permissions(let path, let code):
            return "cannot set the owner or mode of \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Why a unix socket's path cannot be used, in the terms of the path
    /// (the folder missing, not "No such file or directory").
    private static func unixReason(path: String, errno code: Int32) -> String {
        let folder = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var info = stat()
        switch code {
        case ENOENT where stat(folder, &info) != 0: return "the folder \(folder) does not exist"
        case ENOTDIR: return "a part of \(folder) is not a folder"
        case EACCES: return "no permission to create a file in \(folder)"
        case EROFS: return "\(folder) is on a read-only file system"
        case EADDRINUSE: return "a file that is not a socket is in the way"
        case ENAMETOOLONG:
            let limit = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
            return "the path is \(path.utf8.count) bytes long; a unix socket's path may have at most \(limit)"
        default: return String(cString: strerror(code))
        }
    }
}
