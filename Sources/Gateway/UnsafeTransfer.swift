/// Moves a value that is not Sendable to another thread, for handoffs where
/// exactly one thread uses it at a time (a queue, a lock or a task's start
/// orders the accesses).
package struct UnsafeTransfer<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
