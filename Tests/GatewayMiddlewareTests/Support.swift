import Gateway
import GatewayTestSupport

/// An application that answers `text` as `type`, counting its calls.
func textApp(_ text: String, type: String = "text/plain; charset=utf-8", status: String = "200 OK",
             headers: [(String, String)] = [], calls: Counter? = nil) -> Application {
    return { _, startResponse in
        calls?.increment()
        try startResponse(status, [("Content-Type", type)] + headers)
        return [text]
    }
}

/// Answers with the environ's variables, one `key=value` line each (read
/// back with `TestResponse.environ`).
let environEcho: Application = { environ, startResponse in
    let lines = environ.variables.map { "\($0.key)=\($0.value)" }.sorted()
    try startResponse("200 OK", [("Content-Type", "text/plain")])
    return [lines.joined(separator: "\n") + "\n"]
}
