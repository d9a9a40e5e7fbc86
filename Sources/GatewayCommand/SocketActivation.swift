import ArgumentParser
import Gateway
import GatewayHTTP
import GatewayEvent

/// systemd socket activation for `gateway serve`: the sockets systemd
/// passed (`LISTEN_FDS`) replace `--host`/`--port`/`--unix`.
extension Serve {
    /// Serves the sockets systemd passed, when it passed any; returns them.
    func adoptInheritedSockets(into configuration: inout EventServerConfiguration) throws -> [InheritedSocket] {
        guard let inherited = try InheritedSockets.take(), !inherited.isEmpty else { return [] }
        configuration.listeners = inherited.map(\.listener)
        configuration.unixPath = nil  // systemd's files: never unlinked by us
        return inherited
    }

    /// The socket backend binds its own socket: refuse one from systemd rather than ignore it.
    func refuseSocketActivation() throws {
        if let inherited = try InheritedSockets.take(), !inherited.isEmpty {
            throw ValidationError("systemd socket activation needs --backend event; the socket backend binds its own socket")
        }
    }

    /// The start-up line: where the server listens.
    func servingLine(_ addresses: [ServerAddress], inherited: [InheritedSocket]) -> String {
        let places = addresses.enumerated().map { index, address in
            let isUnix = inherited.isEmpty ? unix != nil : inherited[index].isUnix
            return isUnix ? "unix:\(address.host)" : address.url
        }
        return "Serving on \(places.joined(separator: ", "))\(inherited.isEmpty ? "" : " (from systemd)")\n"
    }
}
