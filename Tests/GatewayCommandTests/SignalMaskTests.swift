import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Which threads of a running `gateway serve` may take SIGTERM and SIGINT,
/// read from `/proc/PID/task/*/status` (SigBlk): in every mode, all of them
/// block the two but the one that waits for them. A thread in `sigwait`
/// shows the signals it waits for unblocked while it waits, so that thread
/// counts as the one. Deterministic, where a SIGTERM sent under load only
/// finds a thread without the block when the kernel happens to pick it
/// (#20: the socket server's SIGHUP watcher, started before the stop
/// blocked them, was such a thread). On the release build.
@Suite("gateway serve: one thread takes the stop signals", .serialized)
struct SignalMaskTests {
    struct Mode: CustomStringConvertible, Sendable {
        let description: String
        let flags: [String]
        /// Threads the serving process has once it serves a kept-alive connection.
        let threads: Int
        /// Processes it has forked then (prefork workers, fork mode's child for the connection).
        var children = 0
        /// Threads each of those has.
        var childThreads = 0
        /// Threads of each child that take the signals: a prefork worker's
        /// loop does (its supervisor forwards SIGTERM); a fork-mode child
        /// finishes what it holds, with the signals blocked.
        var childWaiters = 0
    }

    static let modes: [Mode] = [
        // The loop (it takes them: libevent's handler) and the SIGHUP watcher.
        Mode(description: "event inline", flags: [], threads: 2),
        // And the worker pool.
        Mode(description: "event threads", flags: ["--threads", "2"], threads: 4),
        // And a second loop.
        Mode(description: "event reactors", flags: ["--reactors", "2", "--threads", "2"], threads: 5),
        // The supervisor waits for them (sigwait); each worker: loop, pool, second loop.
        Mode(description: "event prefork", flags: ["--processes", "2", "--reactors", "2", "--threads", "2"], threads: 1,
             children: 2, childThreads: 4, childWaiters: 1),
        // The accept loop (it serves the connection), the SIGHUP watcher, the stop's sigwait thread.
        Mode(description: "socket single", flags: ["--backend", "socket", "--socket-mode", "single"], threads: 3),
        // And the connection's thread.
        Mode(description: "socket threads", flags: ["--backend", "socket", "--socket-mode", "threads"], threads: 4),
        // One thread, whose handler takes them; the connection's child blocks them.
        Mode(description: "socket fork", flags: ["--backend", "socket", "--socket-mode", "fork"], threads: 1,
             children: 1, childThreads: 1),
    ]

    @Test(.timeLimit(.minutes(1)), arguments: modes)
    func onlyTheWaitingThreadTakesSIGTERMAndSIGINT(mode: Mode) throws {
        let server = try GatewayProcess(["--app", "probe", "--no-access-log"] + mode.flags, executable: releaseGatewayExecutable())
        defer { server.stop() }
        // A kept-alive connection, so that its thread (or child) is there too.
        let client = try TestHTTPClient(port: server.port, timeout: 5)
        defer { client.close() }
        #expect(try client.get("/hello").status == 200)

        let pid = server.processIdentifier
        let started = waitUntil(seconds: 10) {
            let children = server.children()
            return threads(of: pid).count >= mode.threads && children.count >= mode.children
                && children.allSatisfy { threads(of: $0).count >= mode.childThreads }
        }
        try #require(started, "\(mode): threads \(threads(of: pid)), children \(server.children().map { ($0, threads(of: $0)) })")

        let parent = threads(of: pid)
        #expect(parent.filter(\.takesStopSignals).count == 1, "\(mode): serving process \(pid): \(parent)")
        let children = server.children()
        #expect(children.count == mode.children)
        for child in children {
            let all = threads(of: child)
            #expect(all.filter(\.takesStopSignals).count == mode.childWaiters, "\(mode): child \(child): \(all)")
        }
    }
}

/// A thread's signal mask, as /proc shows it.
struct ThreadSignals: CustomStringConvertible {
    let id: Int32
    /// SigBlk: bit `n - 1` set when signal `n` is blocked.
    let blocked: UInt64

    /// SIGTERM or SIGINT may be delivered to it.
    var takesStopSignals: Bool {
        [SIGTERM, SIGINT].contains { blocked & (1 << UInt64($0 - 1)) == 0 }
    }

    var description: String { "\(id): SigBlk \(String(blocked, radix: 16))" }
}

/// Every thread of process `pid` with its blocked signals; empty once it is gone.
func threads(of pid: Int32) -> [ThreadSignals] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.compactMap { task in
        guard let id = Int32(task),
              let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
              let blocked = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return nil }
        return ThreadSignals(id: id, blocked: blocked)
    }.sorted { $0.id < $1.id }
}
