import CLibEvent
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide libevent setup, done once before the first event base:
/// locking for cross-thread wake-ups, and SIGPIPE ignored (``BrokenPipe``).
enum LibEvent {
    private static let prepared: Bool = {
        BrokenPipe.ignore()
        return evthread_use_pthreads() == 0
    }()

    static func prepare() {
        precondition(prepared, "evthread_use_pthreads failed")
    }

    /// A new event base with the epoll changelist (about 20% faster here).
    static func makeBase() -> OpaquePointer? {
        prepare()
        guard let config = event_config_new() else { return nil }
        defer { event_config_free(config) }
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        return event_base_new_with_config(config)
    }
}
