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
