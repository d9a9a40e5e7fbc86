#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// Who may connect to a unix-domain socket the server creates: its file mode
/// and group. Connecting needs write permission on the file, so the default,
/// 0666, lets a proxy running as another user (nginx's `www-data`) connect,
/// as gunicorn and uvicorn do; tighten it with a mode and a group the proxy
/// belongs to.
///
/// ```swift
/// configuration.unixPath = "/run/eventgateway/gateway.sock"
/// configuration.unixPermissions = UnixSocketPermissions(mode: 0o660, group: "www-data")
/// ```
public struct UnixSocketPermissions: Sendable, Equatable {
    /// The socket file's permission bits.
    public var mode: mode_t
    /// The group to give the socket file (a name or a numeric id); nil keeps the process's.
    public var group: String?

    /// Mode and group for the socket file; by default 0666 and the process's group.
    public init(mode: mode_t = 0o666, group: String? = nil) {
        self.mode = mode
        self.group = group
    }

    /// Parses an octal mode as `--unix-mode` takes it: `660`, `0660`, `0o660`.
    public static func mode(octal text: String) -> mode_t? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, let value = mode_t(digits, radix: 8), value <= 0o777 else { return nil }
        return value
    }

    /// The group id ``group`` names.
    func groupID() throws -> gid_t? {
        guard let group else { return nil }
        if let numeric = gid_t(group) { return numeric }
        guard let entry = getgrnam(group) else { throw SocketError.unknownGroup(group) }
        return entry.pointee.gr_gid
    }

    /// Applies mode and group to the socket file at `path`.
    func apply(to path: String) throws {
        if let gid = try groupID(), chown(path, uid_t.max, gid) != 0 {
            throw SocketError.permissions(path: path, errno: errno)
        }
        guard chmod(path, mode) == 0 else { throw SocketError.permissions(path: path, errno: errno) }
    }
}
