import Foundation
import Gateway
import GatewayEvent
import GatewayTesting
import GatewayTestSupport
import Testing

@Suite("EventServer: wsgiref.simple_server lifecycle")
struct LifecycleTests {
    @Test func portZeroReportsTheRealPort() throws {
        let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
        defer { server.close() }
        #expect(server.serverAddress.port > 0)
        #expect(server.serverAddress.host == "127.0.0.1")
        #expect(server.serverAddress.url == "http://127.0.0.1:\(server.serverAddress.port)/")
    }

    @Test func servesIPv6Loopback() throws {
        let server = try makeServer(host: "::1", port: 0, app: demoApp)
        let running = BackgroundServer(server)
        defer { running.stop() }
        #expect(server.serverAddress.url.hasPrefix("http://[::1]:"))
        let response = try TestHTTPClient(host: "::1", port: running.port).get("/")
        #expect(response.text.hasPrefix("Hello world!"))
    }

    @Test func demoAppListsTheEnviron() throws {
        try withEventServer(app: demoApp) { server in
            let text = try TestHTTPClient(port: server.port).get("/a%20b/c?x=1&y=2").text
            #expect(text.hasPrefix("Hello world!\n\n"))
            #expect(text.contains("PATH_INFO = /a b/c\n"))
            #expect(text.contains("QUERY_STRING = x=1&y=2\n"))
            let keys = text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " = ").first }
            #expect(keys == keys.sorted())
        }
    }

    @Test func handleRequestServesExactlyOne() throws {
        let server = try makeServer(host: "127.0.0.1", port: 0, app: environApp)
        defer { server.close() }
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? server.handleRequest()
            done.signal()
        }.start()
        let first = try TestHTTPClient(port: server.serverAddress.port)
        #expect(try first.get("/one").status == 200)
        #expect(done.wait(timeout: .now() + 10) == .success)

        // No loop runs now: a second request waits until the next handleRequest().
        let second = try TestHTTPClient(port: server.serverAddress.port, timeout: 0.3)
        try second.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: TestClientError.timedOut) { try second.readHead() }
        Thread {
            try? server.handleRequest()
            done.signal()
        }.start()
        let reader = second
        var response: TestResponse?
        for _ in 0..<30 where response == nil {
            response = try? reader.readResponse()
        }
        #expect(response?.environ["PATH_INFO"] == "/two")
        #expect(done.wait(timeout: .now() + 10) == .success)
    }

    @Test func shutdownFromAnotherThreadEndsServeForever() throws {
        let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
        let returned = servingInBackground(server)
        #expect(try TestHTTPClient(port: server.serverAddress.port).get("/").status == 200)
        server.shutdown()
        #expect(returned.wait(timeout: .now() + 5) == .success)
        server.close()
    }

    /// Signals registered while the loops run (posted to the first loop,
    /// which alone may touch its base) stop the server as those registered
    /// before do. SIGUSR2: no other test uses it.
    @Test func stopOnSignalsWorksWhileServing() throws {
        let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
        let returned = servingInBackground(server)
        #expect(try TestHTTPClient(port: server.serverAddress.port).get("/").status == 200)
        server.stopOnSignals([SIGUSR2])
        // Raised only once libevent's handler is in place (the default would end the process).
        let installed = waitUntil {
            var current = sigaction()
            sigaction(SIGUSR2, nil, &current)
            return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) > 1  // not SIG_DFL (0), SIG_IGN (1)
        }
        #expect(installed)
        guard installed else { return server.shutdown() }
        raise(SIGUSR2)
        #expect(returned.wait(timeout: .now() + 10) == .success)
        server.close()
    }

    @Test func shutdownBeforeServeForeverIsNotLost() throws {
        let server = try makeServer(host: "127.0.0.1", port: 0, app: demoApp)
        defer { server.close() }
        server.shutdown()
        let returned = servingInBackground(server)
        #expect(returned.wait(timeout: .now() + 5) == .success)
    }

    /// Runs `server.serveForever()` on a new thread; the semaphore is
    /// signalled when it returns.
    private func servingInBackground(_ server: any GatewayServer) -> DispatchSemaphore {
        let returned = DispatchSemaphore(value: 0)
        Thread {
            try? server.serveForever()
            returned.signal()
        }.start()
        return returned
    }
}
