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
        let target = RequestTarget(request.target)
        let peer = request.peer
        var variables: [String: String] = [
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": target.path,
            "QUERY_STRING": target.query,
            "SERVER_NAME": serverName,
            "SERVER_PORT": serverPort,
            "SERVER_PROTOCOL": request.protocolName,
            "REMOTE_ADDR": peer.host,
            "REMOTE_PORT": String(peer.port),
        ]
        variables.reserveCapacity(24)
        request.forEachHeader { key, value in
            guard let name = cgiVariableName(forHeader: String(cString: key)) else { return }
            let text = String(cString: value)
            if let previous = variables[name] {
                variables[name] = previous + ", " + text
            } else {
                variables[name] = text
            }
        }
        return Environ(
            variables: variables,
            input: RequestInput(request.takeBody()),
            errors: errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }
}

