import Foundation
import GatewayTesting
import GatewayTestSupport
import Testing

/// What `gateway serve --unix PATH` says when it cannot listen there, in
/// the terms of the path (it said "cannot listen on PATH:0: No such file or
/// directory"), and that --host and --port beside it are refused rather
/// than silently ignored.
@Suite("gateway serve --unix: messages")
struct UnixSocketMessageTests {
    @Test(arguments: ["event", "socket"])
    func aMissingFolderIsNamed(backend: String) throws {
        let (status, errors) = try GatewayProcess.refusal(["--backend", backend, "--unix", "/no/such/dir/gw.sock"])
        #expect(status == 1)
        #expect(errors == "Error: cannot listen on unix:/no/such/dir/gw.sock: the folder /no/such/dir does not exist\n")
    }

    @Test func aFileInTheWayAndAPathTooLong() throws {
        let file = temporaryPath("not-a-socket")
        try writeFile(file, [])
        defer { unlink(file) }
        let inTheWay = try GatewayProcess.refusal(["--unix", file])
        #expect(inTheWay.status == 1)
        #expect(inTheWay.errors == "Error: cannot listen on unix:\(file): a file that is not a socket is in the way\n")

        let long = "/tmp/" + String(repeating: "x", count: 110) + ".sock"
        let tooLong = try GatewayProcess.refusal(["--unix", long])
        #expect(tooLong.status == 1)
        #expect(tooLong.errors == "Error: cannot listen on unix:\(long): the path is 120 bytes long; a unix socket's path may have at most 107\n")
    }

    @Test(arguments: [
        (["--port", "0"], "--port"), (["--host", "127.0.0.1"], "--host"), (["--host", "::1", "--port", "8080"], "--host and --port"),
    ])
    func hostAndPortBesideItAreRefused(flags: [String], named: String) throws {
        let (status, errors) = try GatewayProcess.refusal(["--unix", temporaryPath("both", suffix: ".sock")] + flags)
        #expect(status == 64)
        #expect(errors == """
            Error: --unix cannot be combined with \(named): a unix-domain socket has no address or port; give one or the other
            See 'gateway help serve'.

            """)
    }
}
