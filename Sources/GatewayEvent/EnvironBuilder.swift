import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Builds PEP 3333's environ from a request a connection read whole.
struct EnvironBuilder {
    /// SERVER_NAME and SERVER_PORT, the same for every request of a server.
    let serverName: String
    let serverPort: String
    let multithread: Bool
    let multiprocess: Bool
    let errors: any ErrorOutput

    /// The environ of `head` (its fields move into the environ) from
    /// `peer`, its body read from `input`.
    func environ(for head: inout RequestHead, peer: (host: String, port: Int), input: RequestInput) -> Environ {
        Environ(
            variables: head.takeCGIVariables(server: (serverName, serverPort), peer: peer),
            input: input,
            errors: errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }
}
