/// wsgiref.validate.validator: wraps an application and checks that both the
/// server and the application keep PEP 3333's rules, failing loudly (a thrown
/// ``ValidationFailure`` naming the rule) where a silent bug would slip by.
///
/// ```swift
/// let checked = validator(myApp)
/// let server = try makeServer(host: "127.0.0.1", port: 0, app: checked)
/// ```
///
/// A violation found while the request runs is thrown, so the server answers
/// 500 (or cuts the connection once the headers went out) and logs the rule.
/// A body the server never closed can only be noticed when the body is
/// released; that is reported to `wsgi.errors`.
public func validator(_ app: @escaping Application) -> Application {
    return { environ, startResponse in
        try checkEnviron(environ)
        let checks = StartResponseChecks()
        let checkedStart = StartResponse { status, headers, excInfo in
            try checks.check(status: status, headers: headers, excInfo: excInfo)
            let write = try startResponse(status, headers, excInfo: excInfo)
            return ResponseWriter { bytes in
                try require(checks.calls > 0, "write() called before start_response")
                try write(bytes)
            }
        }
        let body = try app(environ, checkedStart)
        return ValidatedBody(inner: body, checks: checks, errors: environ.errors)
    }
}

/// A broken PEP 3333 rule found by ``validator(_:)``.
public struct ValidationFailure: Error, Equatable, CustomStringConvertible {
    /// Which rule, in words.
    public let rule: String

    /// A failure naming `rule`.
    public init(_ rule: String) { self.rule = rule }

    /// `PEP 3333 violation: ` and the rule.
    public var description: String { "PEP 3333 violation: \(rule)" }
}

private func require(_ condition: Bool, _ rule: @autoclosure () -> String) throws {
    if !condition { throw ValidationFailure(rule()) }
}

// MARK: - The server's side: the environ

private let requiredKeys = ["REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL"]
private let knownMethods: Set<String> = ["GET", "HEAD", "POST", "OPTIONS", "PATCH", "PUT", "DELETE", "TRACE", "CONNECT"]

func checkEnviron(_ environ: Environ) throws {
    for key in requiredKeys {
        try require(environ.variables[key] != nil, "environ lacks the required key \(key)")
    }
    for key in ["HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"] {
        try require(environ.variables[key] == nil,
                    "environ holds \(key); it must be \(key.dropFirst(5)) without the HTTP_ prefix")
    }
    let method = environ.variables["REQUEST_METHOD"] ?? ""
    try require(!method.isEmpty && method.utf8.allSatisfy(HTTPCharacters.isToken), "REQUEST_METHOD \(method.debugDescription) is not a method")
    if !knownMethods.contains(method) {
        environ.errors.write("validator: unknown REQUEST_METHOD \(method.debugDescription)\n")
    }
    let script = environ.variables["SCRIPT_NAME"] ?? ""
    let path = environ.variables["PATH_INFO"] ?? ""
    try require(script.isEmpty || script.hasPrefix("/"), "SCRIPT_NAME \(script.debugDescription) must be empty or start with '/'")
    try require(path.isEmpty || path.hasPrefix("/"), "PATH_INFO \(path.debugDescription) must be empty or start with '/'")
    try require(script != "/", "SCRIPT_NAME cannot be '/'; it should be empty and PATH_INFO '/'")
    if let length = environ.variables["CONTENT_LENGTH"] {
        try require(Int(length).map { $0 >= 0 } ?? false, "CONTENT_LENGTH \(length.debugDescription) is not a non-negative integer")
    }
    try require(environ.urlScheme == "http" || environ.urlScheme == "https",
                "wsgi.url_scheme \(environ.urlScheme.debugDescription) is neither http nor https")
    try require(Int(environ.variables["SERVER_PORT"] ?? "") != nil, "SERVER_PORT is not a number")
}

// MARK: - The application's side: start_response, write, the body

/// What the validator saw the application do with start_response.
final class StartResponseChecks {
    var calls = 0

    func check(status: String, headers: [(String, String)], excInfo: (any Error)?) throws {
        calls += 1
        try require(calls == 1 || excInfo != nil, "start_response called a second time without excInfo")
        let bytes = Array(status.utf8)
        try require(bytes.count >= 4, "status \(status.debugDescription) is too short (at least 4 characters: code and space)")
        let code = Int(String(decoding: bytes.prefix(3), as: UTF8.self))
        try require(code != nil && bytes.prefix(3).allSatisfy { $0 >= 0x30 && $0 <= 0x39 },
                    "status \(status.debugDescription) does not start with a 3-digit code")
        try require(code! >= 100, "status code \(code!) is below 100")
        try require(bytes[3] == UInt8(ascii: " "), "status \(status.debugDescription) lacks the space after the code")
        try require(bytes.count > 4, "status \(status.debugDescription) has no reason phrase")
        var sawContentType = false
        for (name, value) in headers {
            try require(name.lowercased() != "status", "a header named Status is not allowed (it means something else to CGI)")
            try require(!name.contains("\n") && !name.contains(":"), "header name \(name.debugDescription) holds a newline or a colon")
            try require(!name.hasSuffix("-") && !name.hasSuffix("_"), "header name \(name.debugDescription) ends with '-' or '_'")
            try require(!value.utf8.contains { $0 < 0x20 && $0 != 0x09 }, "the value of \(name) holds a control character")
            if name.lowercased() == "content-type" { sawContentType = true }
        }
        let bodyless = code == 204 || code == 304
        if bodyless {
            try require(!sawContentType, "Content-Type in a \(code!) response, which has no content")
        } else {
            try require(sawContentType, "no Content-Type header in a \(code!) response")
        }
    }
}

/// The body, iterated and closed under watch.
private final class ValidatedBody: ResponseBody {
    let inner: any ResponseBody
    let checks: StartResponseChecks
    let errors: any ErrorOutput
    var closed = false

    init(inner: any ResponseBody, checks: StartResponseChecks, errors: any ErrorOutput) {
        self.inner = inner
        self.checks = checks
        self.errors = errors
    }

    deinit {
        if !closed {
            errors.write("validator: PEP 3333 violation: the body was released without close() being called\n")
        }
    }

    var chunkCount: Int? { inner.chunkCount }

    func makeChunkIterator() -> any ChunkIterator {
        return Iterator(owner: self, inner: inner.makeChunkIterator())
    }

    func close() {
        if closed {
            errors.write("validator: PEP 3333 violation: close() called twice on the body\n")
        }
        closed = true
        inner.close()
    }

    private struct Iterator: ChunkIterator {
        let owner: ValidatedBody
        var inner: any ChunkIterator
        var first = true

        mutating func next() throws -> [UInt8]? {
            try require(!owner.closed, "the body was read after close()")
            let chunk = try inner.next()
            if first, chunk != nil {
                first = false
                try require(owner.checks.calls > 0,
                            "the body produced data before start_response was called")
            }
            return chunk
        }
    }
}
