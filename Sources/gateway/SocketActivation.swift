import ArgumentParser
import Gateway
import GatewayEvent

/// systemd socket activation for `gateway serve`: the listener systemd
/// passed (`LISTEN_FDS`) replaces `--host`/`--port`/`--unix`.
extension Serve {
    /// Serves the socket systemd passed, when it passed one; true if it did.
    func adoptInheritedSocket(into configuration: inout EventServerConfiguration) throws -> InheritedSocket? {
        guard let inherited = try InheritedSockets.take(), !inherited.isEmpty else { return nil }
        // One EventServer serves one listener; several would need several servers.
        guard inherited.count == 1 else {
            let names = inherited.map(\.name).joined(separator: ", ")
            throw ValidationError("systemd passed \(inherited.count) sockets (\(names)); gateway serve takes one: give the socket unit one ListenStream=")
        }
        configuration.listener = inherited[0].listener
        configuration.unixPath = nil  // systemd's file: never unlinked by us
        return inherited[0]
    }

    /// The socket backend binds its own socket: refuse one from systemd rather than ignore it.
    func refuseSocketActivation() throws {
        if let inherited = try InheritedSockets.take(), !inherited.isEmpty {
            throw ValidationError("systemd socket activation needs --backend event; the socket backend binds its own socket")
        }
    }

    /// The start-up line: where the server listens.
    func servingLine(_ address: ServerAddress, inherited: InheritedSocket?) -> String {
        let isUnix = inherited?.isUnix ?? (unix != nil)
        let place = isUnix ? "unix:\(address.host)" : address.url
        return "Serving on \(place)\(inherited == nil ? "" : " (socket from systemd)")\n"
    }
}
