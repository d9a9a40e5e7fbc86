import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// The example applications under the command: `gateway serve --app NAME`.
@Suite("gateway serve --app NAME")
struct ExampleCatalogTests {
    /// The static app logs each request itself (the server's log is off for
    /// it), once; `--no-access-log` silences it too.
    @Test(.timeLimit(.minutes(1)))
    func staticLogsOnceUnlessTold() throws {
        let root = try makeTemporaryFolder("serve-log")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/a.txt", Array("a".utf8))
        for quiet in [false, true] {
            let server = try GatewayProcess(["--app", "static", "--root", root] + (quiet ? ["--no-access-log"] : []))
            #expect(try TestHTTPClient(port: server.port, timeout: 5).get("/a.txt").text == "a")
            #expect(server.stop())
            let lines = server.stderr.split(separator: "\n").filter { $0.contains("GET /a.txt") }
            #expect(lines.count == (quiet ? 0 : 1), "\(server.stderr)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func everyExampleRunsUnderTheCommand() throws {
        let root = try makeTemporaryFolder("serve")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/index.html", Array("<p>home</p>".utf8))
        let cases: [(app: String, target: String, headers: [(String, String)], status: Int, contains: String)] = [
            ("hello", "/?cli", [], 200, "Hello, cli!"),
            ("static", "/index.html", [], 200, "<p>home</p>"),
            ("upload", "/", [], 200, "type=\"file\""),
            ("api", "/items", [], 200, "[]"),
            ("stack", "/admin/", [("Authorization", "Basic YTpi")], 200, "Welcome, a."),  // a:b
        ]
        for entry in cases {
            let server = try GatewayProcess(serve: ["--host", "127.0.0.1", "--port", "0", "--app", entry.app, "--root", root],
                                            environment: ["STACK_ADMIN": "a:b"])
            defer { server.stop() }
            let response = try TestHTTPClient(port: server.port, timeout: 5).get(entry.target, headers: entry.headers)
            #expect(response.status == entry.status, "\(entry.app)")
            #expect(response.text.contains(entry.contains), "\(entry.app)")
        }
    }
}
