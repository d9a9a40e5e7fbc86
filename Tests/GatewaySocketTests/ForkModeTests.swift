import Gateway
import GatewaySocket
import GatewayTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Socket server, fork mode")
struct ForkModeTests {
    /// A child still holding a kept-alive connection when the server closes
    /// is given a few seconds, then killed: closing leaves no process behind.
    @Test(.timeLimit(.minutes(1))) func closingLeavesNoChildBehind() throws {
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = .fork(maximum: 4)
        configuration.keepAliveTimeout = 120  // the child would wait this long for a next request
        let server = try SocketServer(configuration: configuration, app: { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return [String(getpid())]
        })
        let running = BackgroundServer(server)
        let client = try TestHTTPClient(port: running.port, timeout: 5)
        let child = try #require(Int32(client.get("/").text))
        #expect(child != getpid())
        #expect(kill(child, 0) == 0)  // alive, waiting on the kept-alive connection
        #expect(running.stop())
        #expect(kill(child, 0) == -1 && errno == ESRCH, "child \(child) outlived the server")
        client.close()
    }

    /// A child stuck in the application (here: a body that blocks) is killed
    /// once the grace period is over.
    @Test(.timeLimit(.minutes(1))) func aStuckChildIsKilledAtClose() throws {
        var configuration = SocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.mode = .fork(maximum: 4)
        let server = try SocketServer(configuration: configuration, app: { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            var sent = false
            return StreamBody(next: {
                if sent { sleep(120) }  // never returns in time
                sent = true
                return Array("\(getpid())\n".utf8)
            })
        })
        let running = BackgroundServer(server)
        let client = try TestHTTPClient(port: running.port, timeout: 5)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readHead().status == 200)
        _ = try client.readLine()  // chunk size
        let child = try #require(Int32(try client.readLine()))
        #expect(kill(child, 0) == 0)
        #expect(running.stop(timeout: 20))
        #expect(kill(child, 0) == -1 && errno == ESRCH, "child \(child) outlived the server")
        client.close()
    }
}
