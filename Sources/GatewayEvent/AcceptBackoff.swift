import CLibEvent
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What evhttp's listener lacks: on EMFILE/ENFILE, accept fails at once and
/// the listener spins a CPU retrying (libevent #71, #363). We pause
/// accepting for a moment instead, and log it; connections being served go
/// on, and some will close and free descriptors.
enum AcceptBackoff {
    /// Listeners paused on purpose (a draining server): not to be re-enabled.
    private static let drained = Mutex<Set<UInt>>([])
    private static let logger = Logger(label: "EventGateway")
    static let pause = timeval(tv_sec: 0, tv_usec: 100_000)

    /// Installs the back-off on a reactor's listener.
    static func install(on listener: OpaquePointer) {
        evconnlistener_set_error_cb(listener) { listener, _ in
            guard let listener else { return }
            let code = errno
            AcceptBackoff.logger.error("accept failed: \(String(cString: strerror(code))); pausing accept for 100 ms")
            evconnlistener_disable(listener)
            var wait = AcceptBackoff.pause
            event_base_once(evconnlistener_get_base(listener), -1, Int16(EV_TIMEOUT), { _, _, context in
                let listener = OpaquePointer(context!)
                if !AcceptBackoff.isDrained(listener) { evconnlistener_enable(listener) }
            }, UnsafeMutableRawPointer(listener), &wait)
        }
    }

    /// Marks a listener as stopped for good (or resumed, with `false`).
    static func setDrained(_ listener: OpaquePointer, _ value: Bool) {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(listener)))
        drained.withLock { if value { $0.insert(key) } else { $0.remove(key) } }
    }

    private static func isDrained(_ listener: OpaquePointer) -> Bool {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(listener)))
        return drained.withLock { $0.contains(key) }
    }
}
