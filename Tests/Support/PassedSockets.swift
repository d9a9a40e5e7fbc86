import Foundation
import GatewayTesting
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket the test binds itself — TCP on 127.0.0.1 port 0
/// (the kernel picks a free port: no bind-then-close race) or a unix path —
/// to hand to a child process as systemd (`LISTEN_FDS`) or nginx (`NGINX`)
/// take inherited sockets.
package final class PassedSocket {
    package let descriptor: Int32
    /// The port the kernel gave; 0 for a unix socket.
    package let port: Int
    /// The unix socket's path; nil for TCP.
    package let path: String?

    /// TCP on 127.0.0.1, port 0.
    package init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError.connect(errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 128) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { let error = errno; close(descriptor); throw TestClientError.connect(errno: error) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        path = nil
    }

    /// A unix socket at `path`, removed with the socket.
    package init(unixPath: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError.connect(errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in unixPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && listen(descriptor, 128) == 0
            }
        }
        guard bound else { let error = errno; close(descriptor); throw TestClientError.connect(errno: error) }
        self.descriptor = descriptor
        port = 0
        path = unixPath
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }
}

/// A program started with inherited sockets at descriptors 3, 4, ... (the
/// way systemd and nginx pass them), its output discarded.
package final class ProcessWithSockets {
    package let pid: pid_t
    private var status: Int32?

    /// Runs `executable ARGUMENTS` with `sockets` as descriptors 3, 4, ...
    /// and `environment` added to this process's. With `listenPID`, the
    /// child's own pid is set as `LISTEN_PID` (through `/bin/sh -c 'exec'`,
    /// which keeps the pid), as systemd does.
    package init(_ executable: String, _ arguments: [String], sockets: [PassedSocket],
                 environment: [String: String] = [:], listenPID: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Copies far above 3 + count first, so no dup2 lands on a copy still to be placed
        // and none is dup2'd onto itself (which would keep its close-on-exec flag).
        let copies = sockets.map { fcntl($0.descriptor, F_DUPFD_CLOEXEC, 200) }
        defer { for copy in copies { close(copy) } }
        for (index, copy) in copies.enumerated() { posix_spawn_file_actions_adddup2(&actions, copy, Int32(3 + index)) }

        let command = listenPID
            ? ["/bin/sh", "-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"", executable] + arguments
            : [executable] + arguments
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var argv = command.map { strdup($0) } + [nil]
        var envp = variables.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, command[0], &actions, nil, &argv, &envp)
        guard result == 0 else { throw TestClientError.malformed("posix_spawn \(command[0]): \(String(cString: strerror(result)))") }
        pid = child
    }

    deinit { _ = stop(signal: SIGKILL) }

    /// True until it exited (and is reaped).
    package var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        return status == nil
    }

    /// Sends `signal`, waits up to `seconds`; its exit code, or nil when it
    /// was killed by a signal or had to be killed (SIGKILL) after the wait.
    @discardableResult
    package func stop(signal: Int32 = SIGTERM, seconds: Double = 20) -> Int32? {
        if isRunning {
            kill(pid, signal)
            if !waitUntil(seconds: seconds, { !isRunning }) {
                kill(pid, SIGKILL)
                var raw: Int32 = 0
                waitpid(pid, &raw, 0)
                status = raw
                return nil
            }
        }
        guard let status, status & 0x7f == 0 else { return nil }
        return (status >> 8) & 0xff
    }
}
