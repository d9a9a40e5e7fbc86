import Foundation
import Synchronization

/// Counts events across threads: calls of an application (a refusal must
/// not reach it), `close()` calls, bodies freed.
package final class Counter: Sendable {
    private let count = Mutex(0)
    package init() {}
    package func increment() { count.withLock { $0 += 1 } }
    package var value: Int { count.withLock { $0 } }
}

/// Counts the requests inside an application at once, and the most seen;
/// the application calls `enter()` first and `leave()` last.
package final class Overlap: Sendable {
    private let state = Mutex((now: 0, most: 0))
    package init() {}
    package func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    package func leave() { state.withLock { $0.now -= 1 } }
    package var most: Int { state.withLock { $0.most } }
    package var now: Int { state.withLock { $0.now } }
}

/// Holds applications until the test lets them go: `wait()` in the app,
/// `open()` in the test (every waiter passes, now and later). Bounded: a
/// waiter gives up after `seconds`, so a failing test cannot hang a server.
package final class Gate: Sendable {
    private let opened = Mutex(false)
    private let seconds: Double
    package init(seconds: Double = 60) { self.seconds = seconds }
    package func open() { opened.withLock { $0 = true } }
    package func wait() {
        let deadline = Date().addingTimeInterval(seconds)
        while !opened.withLock({ $0 }) && Date() < deadline { usleep(1_000) }
    }
}
