import CLibEvent

/// A libevent timer's `timeval` from seconds. The kit's `timeval(seconds:)`
/// (GatewayHTTP/Timeval.swift) extends Glibc's `timeval`; the one libevent's
/// headers bring in through CLibEvent is a type of its own to Swift, so
/// the loop's timers need this one.
extension timeval {
    init(seconds: Double) {
        self.init(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
    }
}
