/// What went wrong in zlib.
enum ZlibError: Error, Equatable {
    case initFailed(Int32)
    case streamError(Int32)
    /// The inflated data passed its size or ratio limit.
    case limitExceeded
}
