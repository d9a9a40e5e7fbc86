#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// Tells systemd about the service's state (`sd_notify(3)`): a datagram to
/// the unix socket named by `NOTIFY_SOCKET`, for `Type=notify` units.
///
/// ```swift
/// let notifier = SystemdNotifier.takeFromEnvironment()
/// notifier?.notify(.ready)         // every listener is registered
/// notifier?.notify(.stopping)      // draining
/// ```
///
/// Taking it unsets `NOTIFY_SOCKET`, so children (prefork workers, programs
/// the application starts) cannot report for the service.
package struct SystemdNotifier: Sendable {
    /// The socket path; a leading `@` names an abstract socket.
    package let socketPath: String

    /// The states this server reports.
    package enum State: String, Sendable {
        case ready = "READY=1"
        case reloading = "RELOADING=1"
        case stopping = "STOPPING=1"
    }

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The notifier `NOTIFY_SOCKET` names, or nil when unset; unsets it.
    package static func takeFromEnvironment() -> SystemdNotifier? {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        unsetenv("NOTIFY_SOCKET")
        return SystemdNotifier(socketPath: value)
    }

    /// Sends a state; false when it could not be delivered (systemd gone).
    @discardableResult
    package func notify(_ state: State) -> Bool {
        send(state.rawValue)
    }

    /// Sends a raw message, e.g. `"STATUS=serving"` or several lines at once.
    @discardableResult
    package func send(_ message: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !path.isEmpty, path.count < capacity else { return false }
        if path[0] == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path[0] == 0 ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        return sent == bytes.count
    }
}
