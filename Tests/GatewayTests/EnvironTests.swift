@testable import Gateway
import Testing

@Suite("Environ")
struct EnvironTests {
    @Test func requestLineQuotesThePathAgain() {
        var environ = Environ(variables: ["REQUEST_METHOD": "GET", "PATH_INFO": "/a b/\"c\"", "QUERY_STRING": "x=1",
                                          "SERVER_PROTOCOL": "HTTP/1.1"])
        #expect(environ.requestLine == "GET /a%20b/%22c%22?x=1 HTTP/1.1")
        environ["QUERY_STRING"] = ""
        environ["SCRIPT_NAME"] = "/app"
        #expect(environ.requestLine == "GET /app/a%20b/%22c%22 HTTP/1.1")
    }

    @Test func variablesKeepOrderAndReplaceInPlace() {
        var variables: EnvironVariables = [:]
        variables["B"] = "1"
        variables["A"] = "2"
        variables["B"] = "3"
        #expect(variables.map(\.key) == ["B", "A"])
        #expect(variables["B"] == "3")
        #expect(variables.updateValue("4", forKey: "A") == "2")
        variables["B"] = nil
        #expect(variables.keys == ["A"])
        #expect(variables.dictionary == ["A": "4"])
    }
}
