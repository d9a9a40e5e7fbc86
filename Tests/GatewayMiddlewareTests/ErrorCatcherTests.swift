import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("catchErrors")
struct ErrorCatcherTests {
    struct Leaky: Error, CustomStringConvertible {
        var description: String { "database password is hunter2" }
    }

    static let failing: Application = { _, startResponse in
        try startResponse("200 OK", [("Content-Type", "text/plain"), ("X-Partial", "1")])
        throw Leaky()
    }

    static let failingBody: Application = { _, startResponse in
        try startResponse("200 OK", [("Content-Type", "text/plain")])
        return StreamBody(next: { throw Leaky() })
    }

    @Test(arguments: ServerKind.allCases)
    func errorsBecomeA500PageWithoutDetails(kind: ServerKind) throws {
        for app in [Self.failing, Self.failingBody] {
            try withServer(kind, app: catchErrors()(app)) { _, client throws in
                let response = try client.get("/")
                #expect(response.status == 500)
                #expect(response.header("Content-Type") == "text/html; charset=utf-8")
                #expect(response.header("X-Partial") == nil)
                #expect(response.text.contains("Internal Server Error"))
                #expect(!response.text.contains("hunter2"))
                #expect(!response.text.contains("Leaky"))
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func debugShowsTheErrorEscaped(kind: ServerKind) throws {
        let app: Application = { _, _ in throw GatewayError.invalidStatus("<b>") }
        try withServer(kind, app: catchErrors(debug: true)(app)) { _, client throws in
            let response = try client.get("/")
            #expect(response.status == 500)
            #expect(response.text.contains("GatewayError"))
            #expect(response.text.contains("&lt;b&gt;"))
            #expect(!response.text.contains("<b>"))
        }
        try withServer(kind, app: catchErrors(debug: true)(Self.failing)) { _, client throws in
            #expect(try client.get("/").text.contains("hunter2"))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func httpErrorsKeepTheirStatus(kind: ServerKind) throws {
        let app: Application = { _, _ in throw FormError.tooLarge("body over 10 bytes") }
        try withServer(kind, app: catchErrors()(app)) { _, client throws in
            let response = try client.get("/")
            #expect(response.status == 413)
            #expect(response.text.contains("body over 10 bytes"))
        }
    }

    @Test(arguments: ServerKind.allCases)
    func workingApplicationsPassUntouched(kind: ServerKind) throws {
        try withServer(kind, app: catchErrors()(textApp("fine"))) { _, client throws in
            let response = try client.get("/")
            #expect(response.status == 200)
            #expect(response.text == "fine")
            #expect(response.header("Content-Length") == "4")
        }
    }
}
