/// Moves a value that is not Sendable to another thread, for handoffs where
/// exactly one thread uses it at a time (the pool's lock orders the accesses).
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
