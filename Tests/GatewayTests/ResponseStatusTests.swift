@testable import Gateway
import Testing

@Suite("ResponseStatus parsing")
struct ResponseStatusParsingTests {
    @Test(arguments: ["200 OK", "404 Not Found", "299 Custom Reason"])
    func parsesCodeAndReason(line: String) throws {
        let status = try ResponseStatus(parsing: line)
        #expect(status.line == line)
    }

    @Test(arguments: ["200", "20 OK", "200OK", "099 Low", "600 High", "200 ", "2x0 OK", "200 O\nK"])
    func refusesMalformedLines(line: String) {
        #expect(throws: GatewayError.self) { try ResponseStatus(parsing: line) }
    }
}

@Suite("typed statuses")
struct CommonStatusesTests {
    @Test func namedStatusesCarryTheStandardReason() {
        let named: [ResponseStatus] = [.ok, .created, .accepted, .noContent, .partialContent, .movedPermanently, .found,
                                       .seeOther, .notModified, .temporaryRedirect, .permanentRedirect, .badRequest,
                                       .unauthorized, .forbidden, .notFound, .methodNotAllowed, .conflict, .gone,
                                       .preconditionFailed, .contentTooLarge, .unsupportedMediaType, .unprocessableContent,
                                       .tooManyRequests, .internalServerError, .notImplemented, .badGateway,
                                       .serviceUnavailable, .gatewayTimeout]
        for status in named {
            #expect(status == ResponseStatus(code: status.code), "\(status.line)")
            #expect((try? ResponseStatus(parsing: status.line)) == status)
        }
        #expect(ResponseStatus.notFound.line == "404 Not Found")
        #expect(ResponseStatus(code: 418).line == "418 I'm a Teapot")
        #expect(ResponseStatus(code: 299).line == "299 Unknown")
    }

    @Test func startResponseTakesATypedStatus() throws {
        let app: Application = { _, startResponse in
            try startResponse(.created, [("Location", "/items/7")])
            return [String]()
        }
        let (transport, _) = run(app, method: "POST")
        #expect(transport.head?.status == .created)
        #expect(transport.head?.headers.contains { $0 == ("Location", "/items/7") } == true)
    }

    @Test func aTypedStatusIsCheckedLikeItsLine() {
        let app: Application = { _, startResponse in
            try startResponse(ResponseStatus(code: 200, reason: "O\r\nK"), [])
            return [String]()
        }
        let (transport, errors) = run(app)
        #expect(errors.text.contains("status"))
        #expect(transport.head?.status.code == 500)
    }
}
