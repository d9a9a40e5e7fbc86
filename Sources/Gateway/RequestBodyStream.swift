#if canImport(Glibc)
import Glibc
#endif

/// A request body on its way from a server to an async application: the
/// server pushes bytes as they arrive, the application pulls them
/// (``RequestInput``'s reads and ``RequestInput/chunks``).
///
/// Bounded, for backpressure: the server pushes only while ``room`` is
/// left, then stops reading the socket (``pause()``); `demand` tells it to
/// read on once the application has taken half of what was held, or waits
/// for more. The application's first read is a demand too: the server's cue
/// for `100 Continue`.
package final class RequestBodyStream: @unchecked Sendable {
    // @unchecked: every field is behind `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let arrived = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var chunks: [[UInt8]] = []
    private var first = 0
    private var held = 0
    private var ended = false
    private var failure: (any Error)?
    /// The server is not reading until it hears of a demand.
    private var serverWaits = true
    /// The readers waiting for bytes (one, normally: the application's task).
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let demand: @Sendable (RequestBodyStream) -> Void
    /// The thread that pushes (the one that made the stream): a blocking
    /// wait on it would wait for itself.
    private let feeder = pthread_self()

    /// Bytes held before the server stops reading.
    package let capacity: Int
    /// Pushes are merged into chunks of up to this many bytes.
    private static let chunkSize = 64 * 1024

    /// A stream holding up to `capacity` bytes; `demand` runs (on the
    /// application's thread) when the server should read on.
    package init(capacity: Int = 256 * 1024, demand: @escaping @Sendable (RequestBodyStream) -> Void) {
        self.capacity = capacity
        self.demand = demand
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(arrived, nil)
    }

    deinit {
        pthread_cond_destroy(arrived)
        pthread_mutex_destroy(mutex)
        arrived.deallocate()
        mutex.deallocate()
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    // MARK: - The server's side

    /// How many more bytes the server may push.
    package var room: Int { locked { ended ? 0 : max(capacity - held, 0) } }

    /// Adds bytes that arrived.
    package func push(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let waiting: [CheckedContinuation<Void, Never>] = locked {
            guard !ended else { return [] }
            if chunks.count > first, chunks[chunks.count - 1].count + bytes.count <= Self.chunkSize {
                chunks[chunks.count - 1].append(contentsOf: bytes)
            } else {
                chunks.append(Array(bytes))
            }
            held += bytes.count
            return wake()
        }
        for waiter in waiting { waiter.resume() }
    }

    /// The body is complete, or failed with `error` (a ``RequestError`` for
    /// the client's fault: too large, too slow, malformed).
    package func finish(throwing error: (any Error)? = nil) {
        let waiting: [CheckedContinuation<Void, Never>] = locked {
            guard !ended else { return [] }
            ended = true
            failure = error
            return wake()
        }
        for waiter in waiting { waiter.resume() }
    }

    /// The server stopped reading for want of room: true if it must wait
    /// for `demand`, false if the application took enough meanwhile.
    package func pause() -> Bool {
        locked {
            if held <= capacity / 2 { return false }
            serverWaits = true
            return true
        }
    }

    /// The body ended (all of it pushed, or failed).
    package var isFinished: Bool { locked { ended } }

    // Called with the mutex held.
    private func wake() -> [CheckedContinuation<Void, Never>] {
        pthread_cond_broadcast(arrived)
        defer { waiters = [] }
        return waiters
    }

    // MARK: - The application's side

    private enum Poll {
        case chunk([UInt8])
        case end
        case failed(any Error)
        case wait
    }

    /// Takes the next chunk if there is one; notes whether the server must hear of a demand.
    private func poll() -> (Poll, demand: Bool) {
        let result: Poll
        if first < chunks.count {
            let chunk = chunks[first]
            chunks[first] = []
            first += 1
            if first == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                first = 0
            }
            held -= chunk.count
            result = .chunk(chunk)
        } else if let failure {
            result = .failed(failure)
        } else if ended {
            result = .end
        } else {
            result = .wait
        }
        guard serverWaits, !ended, held <= capacity / 2 else { return (result, false) }
        serverWaits = false
        return (result, true)
    }

    /// The next chunk, waiting for it to arrive; nil at the end of the body.
    /// Throws the body's failure, or `CancellationError` when the task is cancelled.
    package func next() async throws -> [UInt8]? {
        while true {
            let (polled, demanded) = locked { poll() }
            if demanded { demand(self) }
            switch polled {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .failed(let error): throw error
            case .wait: try Task.checkCancellation()  // bytes already here are read even so
            }
            await waitForBytes()
        }
    }

    private func waitForBytes() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = locked {
                    if Task.isCancelled || first < chunks.count || ended { return true }
                    waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Wakes every reader; those not cancelled look again and wait on.
            let waiting: [CheckedContinuation<Void, Never>] = locked { wake() }
            for waiter in waiting { waiter.resume() }
        }
    }

    /// The server stopped reading and waits for a demand (the stream held
    /// more than half its capacity): the application, not the client, is
    /// what the body waits for.
    package var waitsForDemand: Bool { locked { serverWaits && !ended } }

    /// The next chunk, blocking the calling thread until it arrives (for
    /// synchronous code reading a streamed body, on a thread of its own).
    /// On the server's own thread, which brings the bytes, a wait would
    /// never end: it throws ``GatewayError/blockingReadOnServerThread``.
    package func nextBlocking() throws -> [UInt8]? {
        let onFeeder = pthread_equal(feeder, pthread_self()) != 0
        while true {
            pthread_mutex_lock(mutex)
            var (polled, demanded) = poll()
            if case .wait = polled, onFeeder {
                pthread_mutex_unlock(mutex)
                if demanded { demand(self) }
                throw GatewayError.blockingReadOnServerThread
            }
            if case .wait = polled, !demanded {
                pthread_cond_wait(arrived, mutex)
                (polled, demanded) = poll()
            }
            pthread_mutex_unlock(mutex)
            if demanded { demand(self) }
            switch polled {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .failed(let error): throw error
            case .wait: continue
            }
        }
    }
}
