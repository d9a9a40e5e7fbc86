import Foundation
import Gateway
import GatewayTesting
import Testing

/// What clients saw across a stop: complete responses, refused connects,
/// and anything else (a reset, an empty close, a timeout), which is a loss.
final class StopTally: Sendable {
    private let state = Locked((answered: 0, refused: 0, lost: [String]()))
    func answered() { state.withLock { $0.answered += 1 } }
    func refused() { state.withLock { $0.refused += 1 } }
    func lost(_ what: String) { state.withLock { $0.lost.append(what) } }
    var counts: (answered: Int, refused: Int, lost: [String]) { state.withLock { $0 } }
}

/// Eight clients each open a fresh connection per request, in a loop, until
/// a connect is refused; SIGTERM arrives meanwhile.
func hammerAcrossSigterm(port: Int, path: String = "/sleep?ms=50", stop: () -> Void) -> StopTally {
    let tally = StopTally()
    let group = DispatchGroup()
    for _ in 0..<8 {
        group.enter()
        Thread {
            defer { group.leave() }
            for _ in 0..<5_000 {
                let client: TestHTTPClient
                do {
                    client = try TestHTTPClient(port: port, timeout: 20)
                } catch TestClientError.connect(errno: ECONNREFUSED) {
                    return tally.refused()
                } catch {
                    return tally.lost("connect: \(error)")
                }
                do {
                    let response = try client.get(path, headers: [("Connection", "close")])
                    if response.status == 200 && response.text == "slept" {
                        tally.answered()
                    } else {
                        tally.lost("status \(response.status)")
                    }
                } catch {
                    tally.lost("\(error)")
                }
                client.close()
            }
            tally.lost("never refused")
        }.start()
    }
    _ = waitUntil(seconds: 20) { tally.counts.answered >= 16 }
    stop()
    if group.wait(timeout: .now() + 60) == .timedOut { tally.lost("clients still running after 60 s") }
    return tally
}

@Suite("A stop loses nothing")
struct StopTests {
    /// Every client either gets a complete response or a refused connect:
    /// the socket closes first, what the backlog held is served.
    @Test(arguments: [["--threads", "4"], [], ["--reactors", "2", "--threads", "2"], ["--processes", "2", "--threads", "2"],
                      ["--backend", "socket", "--socket-mode", "threads"], ["--backend", "socket", "--socket-mode", "fork"],
                      ["--backend", "socket", "--socket-mode", "single"]])
    func sigtermUnderLoad(flags: [String]) throws {
        let server = try ServerProcess(["--app", "probe", "--no-access-log"] + flags)
        let tally = hammerAcrossSigterm(port: server.port) {
            kill(server.process.processIdentifier, SIGTERM)
        }
        let counts = tally.counts
        print("stop under load \(flags): \(counts.answered) answered, \(counts.refused) refused, \(counts.lost.count) lost")
        #expect(counts.lost == [])
        #expect(counts.refused == 8)
        #expect(counts.answered >= 16)
        #expect(server.waitForExit(seconds: 20))
        #expect(server.process.terminationStatus == 0)
    }
}
