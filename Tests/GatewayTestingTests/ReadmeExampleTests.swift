import Foundation
import Gateway
import GatewayTesting
import Testing

// The example test of docs/testing.md ("Testing your application"): the
// same text is there, checked by `theDocsShowThisFile` below.
let greeter: Application = { environ, startResponse in
    switch environ["PATH_INFO"] ?? "/" {
    case "/login":
        try startResponse("303 See Other", [("Location", "/hello"), ("Set-Cookie", "user=ada; Path=/")])
        return [String]()
    case "/hello":
        let user = (environ["HTTP_COOKIE"] ?? "").split(separator: "=").last.map(String.init) ?? "stranger"
        try startResponse("200 OK", [("Content-Type", "application/json")])
        return [#"{"greeting": "Hello, \#(user)!"}"#]
    default:
        try startResponse("404 Not Found", [("Content-Type", "text/plain")])
        return ["not found\n"]
    }
}

@Test func loggingInGreetsTheUser() throws {
    let client = TestClient(greeter)
    let response = try client.post("/login", body: .form([("user", "ada")]), followRedirects: true)
    #expect(response.status == 200)
    #expect(response.history.map(\.status) == [303])
    #expect(client.cookies["user"] == "ada")
    let json = try #require(try response.json() as? [String: String])
    #expect(json["greeting"] == "Hello, ada!")
}
// End of the docs' example.

@Test func theDocsShowThisFile() throws {
    let source = try String(contentsOfFile: #filePath, encoding: .utf8)
    let start = try #require(source.range(of: "let greeter: Application"))
    let end = try #require(source.range(of: "// End of the docs' example."))
    let example = "import Gateway\nimport GatewayTesting\nimport Testing\n\n" + source[start.lowerBound..<end.lowerBound]
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let page = try String(contentsOf: root.appendingPathComponent("docs/testing.md"), encoding: .utf8)
    #expect(page.contains("```swift\n" + example + "```\n"))
}
