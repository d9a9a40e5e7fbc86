import Gateway
import GatewayTesting
import Testing

/// Every rule the validator enforces fires, and a correct app passes.
@Suite("validator (wsgiref.validate)")
struct ValidatorTests {
    private func check(_ app: @escaping Application, method: String = "GET", environ edit: (inout Environ) -> Void = { _ in })
        -> (RecordingTransport, CapturedErrors)
    {
        let errors = CapturedErrors()
        var environ = Environ(errors: errors)
        setupTestingDefaults(&environ)
        environ["REQUEST_METHOD"] = method
        edit(&environ)
        let transport = RecordingTransport()
        try? Handler(environ: environ, serverSoftware: "Test/1").run(validator(app), on: transport)
        return (transport, errors)
    }

    @Test func aCorrectApplicationPasses() {
        let (sent, errors) = check { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["fine"]
        }
        #expect(sent.head?.status.code == 200)
        #expect(sent.body == "fine")
        #expect(errors.text.isEmpty)
    }

    @Test(arguments: [
        ("20", "too short"),
        ("2x0 OK", "3-digit code"),
        ("099 Low", "below 100"),
        ("200-OK", "lacks the space"),
        ("200 ", "no reason phrase"),
    ])
    func statusRules(status: String, rule: String) {
        let (sent, errors) = check { _, start in
            try start(status, [("Content-Type", "text/plain")])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains(rule), "\(errors.text)")
    }

    @Test(arguments: [
        (("Status", "200"), "named Status"),
        (("X-Trailing-", "v"), "ends with '-' or '_'"),
        (("X-Trailing_", "v"), "ends with '-' or '_'"),
        (("X-Bad", "a\u{1}b"), "control character"),
    ] as [((String, String), String)])
    func headerRules(header: (String, String), rule: String) {
        let (sent, errors) = check { _, start in
            try start("200 OK", [("Content-Type", "text/plain"), header])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains(rule), "\(errors.text)")
    }

    @Test func contentTypeIsRequiredExceptFor204And304() {
        let (missing, errors) = check { _, start in
            try start("200 OK", [])
            return ["x"]
        }
        #expect(missing.head?.status.code == 500)
        #expect(errors.text.contains("no Content-Type"))

        let (extra, extraErrors) = check { _, start in
            try start("204 No Content", [("Content-Type", "text/plain")])
            return [String]()
        }
        #expect(extra.head?.status.code == 500)
        #expect(extraErrors.text.contains("Content-Type in a 204"))

        let (fine, _) = check { _, start in
            try start("304 Not Modified", [])
            return [String]()
        }
        #expect(fine.head?.status.code == 304)
    }

    @Test func startResponseTwiceWithoutExcInfo() {
        let (sent, errors) = check { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("second time"))
    }

    @Test func bodyBeforeStartResponse() {
        let (sent, errors) = check { _, _ in StreamBody(["early"]) }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("before start_response was called"))
    }

    @Test func closeIsChecked() {
        // The server (Handler) closes the body: no complaint.
        let (_, errors) = check { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return StreamBody(["x"])
        }
        #expect(!errors.text.contains("close()"))

        // A server that forgets close() is reported when the body goes away.
        let forgetful = CapturedErrors()
        var environ = Environ(errors: forgetful)
        setupTestingDefaults(&environ)
        do {
            let body = try validator({ _, start in
                try start("200 OK", [("Content-Type", "text/plain")])
                return ["x"]
            })(environ, StartResponse { _, _, _ in ResponseWriter { _ in } })
            _ = body.chunkCount
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(forgetful.text.contains("without close() being called"))
    }

    @Test(arguments: [
        ("HTTP_CONTENT_TYPE", "text/plain", "without the HTTP_ prefix"),
        ("HTTP_CONTENT_LENGTH", "3", "without the HTTP_ prefix"),
        ("SCRIPT_NAME", "/", "cannot be '/'"),
        ("SCRIPT_NAME", "noslash", "SCRIPT_NAME"),
        ("PATH_INFO", "noslash", "PATH_INFO"),
        ("CONTENT_LENGTH", "-4", "CONTENT_LENGTH"),
        ("SERVER_PORT", "eighty", "SERVER_PORT is not a number"),
        ("REQUEST_METHOD", "GE T", "is not a method"),
    ])
    func environRules(key: String, value: String, rule: String) {
        let (sent, errors) = check({ _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["x"]
        }, environ: { $0.variables[key] = value })
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains(rule), "\(errors.text)")
    }

    @Test func missingRequiredKeysAndBadScheme() {
        let (sent, errors) = check({ _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["x"]
        }, environ: { $0.variables["SERVER_NAME"] = nil })
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("SERVER_NAME"))

        let (scheme, schemeErrors) = check({ _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["x"]
        }, environ: { $0.urlScheme = "gopher" })
        #expect(scheme.head?.status.code == 500)
        #expect(schemeErrors.text.contains("url_scheme"))
    }
}
