/// The request as the application sees it: PEP 3333's `environ`.
///
/// CGI variables and `HTTP_*` headers are strings under their PEP 3333 names;
/// the `wsgi.*` entries are typed properties.
///
/// ```swift
/// let method = environ["REQUEST_METHOD"]          // "GET"
/// let agent = environ["HTTP_USER_AGENT"] ?? "-"
/// let body = try environ.input.read()             // the request body
/// ```
public struct Environ {
    /// The CGI variables (`REQUEST_METHOD`, `PATH_INFO`, ...) and `HTTP_*` headers.
    public var variables: EnvironVariables
    /// `wsgi.input`: the request body.
    public var input: RequestInput
    /// `wsgi.errors`: where the application (and the server, for the
    /// application's errors) writes diagnostics.
    public var errors: any ErrorOutput
    /// `wsgi.url_scheme`: "http" or "https".
    public var urlScheme: String
    /// `wsgi.multithread`: the application may be called by several threads at once.
    public var multithread: Bool
    /// `wsgi.multiprocess`: the application may run in several processes at once.
    public var multiprocess: Bool
    /// `wsgi.run_once`: the application runs once in this process (CGI).
    public var runOnce: Bool
    /// `wsgi.input_terminated`: reading ``input`` to the end is safe (it ends
    /// at the end of the body rather than blocking).
    public var inputTerminated: Bool
    /// Keys that middleware and servers add of their own (`extras["myapp.user"]`).
    public var extras: [String: Any]

    /// `wsgi.version`: always (1, 0).
    public var version: (major: Int, minor: Int) { (1, 0) }

    /// `wsgi.file_wrapper`: wraps an open file so that servers able to send
    /// it with sendfile do so. See ``FileWrapper``.
    public var fileWrapper: FileWrapper.Type { FileWrapper.self }

    /// Creates an environ; servers fill it, tests can too (see `setupTestingDefaults`).
    public init(
        variables: EnvironVariables = [:],
        input: RequestInput = RequestInput(),
        errors: any ErrorOutput = StandardErrorOutput.shared,
        urlScheme: String = "http",
        multithread: Bool = false,
        multiprocess: Bool = false,
        runOnce: Bool = false,
        inputTerminated: Bool = true,
        extras: [String: Any] = [:]
    ) {
        self.variables = variables
        self.input = input
        self.errors = errors
        self.urlScheme = urlScheme
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.runOnce = runOnce
        self.inputTerminated = inputTerminated
        self.extras = extras
    }

    /// A CGI variable or header by its PEP 3333 name; `"wsgi.url_scheme"` is
    /// also reachable this way, as in Python.
    public subscript(key: String) -> String? {
        get {
            if key == "wsgi.url_scheme" { return urlScheme }
            return variables[key]
        }
        set {
            if key == "wsgi.url_scheme" {
                urlScheme = newValue ?? "http"
            } else {
                variables[key] = newValue
            }
        }
    }

    /// Every entry rendered as text, sorted by key: the CGI variables plus the
    /// `wsgi.*` entries, the way wsgiref's demo app prints them.
    public var describedItems: [(key: String, value: String)] {
        var items = variables.map { (key: $0.key, value: $0.value) }
        items.append(("wsgi.errors", String(describing: type(of: errors))))
        items.append(("wsgi.file_wrapper", "FileWrapper"))
        items.append(("wsgi.input", "RequestInput"))
        items.append(("wsgi.input_terminated", pythonBool(inputTerminated)))
        items.append(("wsgi.multiprocess", pythonBool(multiprocess)))
        items.append(("wsgi.multithread", pythonBool(multithread)))
        items.append(("wsgi.run_once", pythonBool(runOnce)))
        items.append(("wsgi.url_scheme", urlScheme))
        items.append(("wsgi.version", "(1, 0)"))
        return items.sorted { $0.key < $1.key }
    }

    /// The request line as logs show it: `GET /a%20b?query HTTP/1.1` (the
    /// path quoted again, so a log line never holds a raw space or quote).
    public var requestLine: String {
        let method = variables["REQUEST_METHOD"] ?? "-"
        let path = urlQuote((variables["SCRIPT_NAME"] ?? "") + (variables["PATH_INFO"] ?? ""), safe: "/;=,:@!$&'()*+")
        let query = variables["QUERY_STRING"].map { $0.isEmpty ? "" : "?" + $0 } ?? ""
        let proto = variables["SERVER_PROTOCOL"] ?? "HTTP/1.0"
        return "\(method) \(path)\(query) \(proto)"
    }
}

private func pythonBool(_ value: Bool) -> String { value ? "True" : "False" }
