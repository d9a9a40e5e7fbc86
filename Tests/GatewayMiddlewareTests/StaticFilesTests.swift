import Foundation
import Gateway
import GatewayMiddleware
import GatewayTesting
import Testing

@Suite("staticFiles")
struct StaticFilesTests {
    @Test func servesFilesAndRefusesTheRest() throws {
        let root = "/tmp/eventgateway-static-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root + "/css", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeFile(root + "/css/site.css", Array("body{}".utf8))
        try writeFile(root + "/../eventgateway-secret-\(getpid())", Array("secret".utf8))
        defer { removeFile(root + "/../eventgateway-secret-\(getpid())") }

        try withEventServer(app: staticFiles(root: root)) { server in
            let client = try TestHTTPClient(port: server.port)
            let css = try client.get("/css/site.css")
            #expect(css.status == 200)
            #expect(css.text == "body{}")
            #expect(css.header("Content-Type") == "text/css")
            #expect(css.header("Content-Length") == "6")
            #expect(css.header("Last-Modified")?.hasSuffix("GMT") == true)
            let head = try client.request("HEAD", "/css/site.css")
            #expect(head.header("Content-Length") == "6")
            #expect(head.body.isEmpty)
            #expect(try client.get("/css").status == 404)            // a folder
            #expect(try client.get("/missing.txt").status == 404)
            #expect(try client.get("/../eventgateway-secret-\(getpid())").status == 404)
            #expect(try client.get("/css/%2e%2e/%2e%2e/eventgateway-secret-\(getpid())").status == 404)
            #expect(try client.request("POST", "/css/site.css", body: [1]).status == 405)
        }
    }
}
