import CLibEvent
import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Builds PEP 3333's environ from a request the relay parsed and evhttp read.
struct EnvironBuilder {
    /// SERVER_NAME and SERVER_PORT, the same for every request of a server.
    let serverName: String
    let serverPort: String
    let multithread: Bool
    let multiprocess: Bool
    let errors: any ErrorOutput

    /// The environ of `head` (as the relay parsed it; its fields move into
    /// the environ), with the body evhttp buffered for `request`, or `input`
    /// when the relay spooled it.
    func environ(for head: inout RequestHead, request: EvhttpRequest, input: RequestInput? = nil) -> Environ {
        Environ(
            variables: head.takeCGIVariables(server: (serverName, serverPort), peer: request.peer),
            input: input ?? RequestInput.holding(request.takeBody()),
            errors: errors,
            urlScheme: "http",
            multithread: multithread,
            multiprocess: multiprocess,
            runOnce: false,
            inputTerminated: true)
    }
}
