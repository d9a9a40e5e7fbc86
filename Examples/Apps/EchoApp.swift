import Gateway

/// Shows where a request landed (`/echo` in the stack app): `SCRIPT_NAME`,
/// `PATH_INFO`, the query and the request id, one `key: value` a line.
public let echoApp: Application = { environ, startResponse in
    var lines = ["SCRIPT_NAME: \(environ["SCRIPT_NAME"] ?? "")", "PATH_INFO: \(environ["PATH_INFO"] ?? "")"]
    lines.append("QUERY_STRING: \(environ["QUERY_STRING"] ?? "")")
    lines.append("REQUEST_METHOD: \(environ["REQUEST_METHOD"] ?? "")")
    lines.append("REQUEST_ID: \(environ["HTTP_X_REQUEST_ID"] ?? "-")")
    try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [lines.map { $0 + "\n" }.joined()]
}
