import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The socket server's fork mode, in a `gateway serve` process (forked from this many-threaded test
/// process, a child would hold copies of other tests' connections and
/// could block on a lock held at the fork): stopping it leaves no
/// child behind, whether the child idles on a kept-alive connection or is
/// stuck in the application.
@Suite("Socket server, fork mode")
struct ForkModeTests {
    private static let flags = ["--app", "probe", "--backend", "socket", "--socket-mode", "fork", "--no-access-log"]

    /// A child still holding a kept-alive connection when the server stops
    /// is given a few seconds, then killed.
    @Test(.timeLimit(.minutes(1))) func stoppingLeavesNoChildBehind() throws {
        let server = try GatewayProcess(Self.flags + ["--keep-alive-timeout", "120"])
        let client = try TestHTTPClient(port: server.port, timeout: 5)
        defer { client.close() }
        #expect(try client.get("/hello").status == 200)
        let children = server.children()
        #expect(children.count == 1, "one child serves the kept-alive connection: \(children)")
        // Generous: the server's own grace for children is five seconds; a
        // loaded machine must not make the test kill the server first.
        #expect(server.stop(seconds: 40), "the server did not exit by itself")
        for child in children { #expect(kill(child, 0) == -1 && errno == ESRCH, "child \(child) outlived the server") }
    }

    /// A child stuck in the application (`/sleep` for ten seconds) is killed
    /// once the five-second grace period is over.
    @Test(.timeLimit(.minutes(1))) func aStuckChildIsKilledAtTheStop() throws {
        let server = try GatewayProcess(Self.flags)
        let client = try TestHTTPClient(port: server.port, timeout: 30)
        defer { client.close() }
        try client.send("GET /sleep?ms=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
        // The child is forked when the connection is accepted.
        var children: Set<Int32> = []
        #expect(waitUntil(seconds: 10) { children = server.children(); return !children.isEmpty })
        #expect(children.count == 1, "one child runs the application: \(children)")
        #expect(server.stop(seconds: 40), "the server did not exit by itself")
        for child in children { #expect(kill(child, 0) == -1 && errno == ESRCH, "child \(child) outlived the server") }
    }
}
