import CLibEvent

/// The address and port of a connection's client.
func peerAddress(of connection: OpaquePointer) -> (host: String, port: Int) {
    var host: UnsafeMutablePointer<CChar>?
    var port: UInt16 = 0
    evhttp_connection_get_peer(connection, &host, &port)
    return (host.map { String(cString: $0) } ?? "", Int(port))
}
