import CLibEvent
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Builds PEP 3333's environ from an evhttp request.
struct EnvironBuilder {
    /// SERVER_NAME and SERVER_PORT, the same for every request of a server.
    let serverName: String
    let serverPort: String
    let multithread: Bool
    let multiprocess: Bool
    let errors: any ErrorOutput

    func environ(for request: EvhttpRequest) -> Environ {
        var cgi = CGIVariables(
            method: request.method, target: request.target, protocolName: request.protocolName,
            server: (serverName, serverPort), peer: request.peer)
        request.forEachHeader { key, value in
            cgi.addHeader(name: String(cString: key), value: String(cString: value))
        }
        return Environ(
            variables: cgi.variables,
            input: RequestInput(request.takeBody()),
            errors: errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }
}

