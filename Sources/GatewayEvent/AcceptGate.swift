import CLibEvent
import Gateway
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Whether one reactor's listener accepts connections. Accepting pauses
/// while the server drains (for good), while the loop holds its share of
/// connections (until one closes), and for a moment after accept fails for
/// want of descriptors: libevent's listener would retry EMFILE at once and
/// spin a CPU (libevent #71, #363). Used on the loop thread only.
final class AcceptGate {
    struct Reasons: OptionSet {
        let rawValue: Int
        static let draining = Reasons(rawValue: 1)
        static let full = Reasons(rawValue: 2)
        static let backingOff = Reasons(rawValue: 4)
    }

    private let listener: OpaquePointer
    private let logger: Logger
    private var paused: Reasons = []
    /// The listener is gone (a stop that closes the socket): nothing to pause or resume.
    private(set) var isShut = false
    static let backOff = timeval(tv_sec: 0, tv_usec: 100_000)

    /// Gates `listener`; its owner forwards the listener's error callback
    /// to ``acceptFailed(_:)``.
    init(listener: OpaquePointer, logger: Logger) {
        self.listener = listener
        self.logger = logger
    }

    /// The listener is about to be freed for good.
    func shut() {
        isShut = true
    }

    func pause(_ reason: Reasons) {
        guard !isShut else { return }
        let wasOpen = paused.isEmpty
        paused.insert(reason)
        if wasOpen { evconnlistener_disable(listener) }
    }

    func resume(_ reason: Reasons) {
        guard !isShut, paused.contains(reason) else { return }
        paused.remove(reason)
        if paused.isEmpty { evconnlistener_enable(listener) }
    }

    /// accept() failed (the listener's error callback): back off, then try again.
    func acceptFailed(_ code: Int32) {
        logger.error("accept failed: \(String(cString: strerror(code))); pausing accept for 100 ms")
        pause(.backingOff)
        var wait = Self.backOff
        event_base_once(evconnlistener_get_base(listener), -1, Int16(EV_TIMEOUT), { _, _, context in
            Unmanaged<AcceptGate>.fromOpaque(context!).takeUnretainedValue().resume(.backingOff)
        }, Unmanaged.passUnretained(self).toOpaque(), &wait)
    }
}
