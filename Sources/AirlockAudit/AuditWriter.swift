#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A background writer for a door that records many decisions a second (the proxy): records
/// are queued and written by one thread in batches, one write and one fsync per batch. A caller
/// that must not act before its record is on disk waits for it (`appendDurably`); one that
/// records a read queues it and goes on (`enqueue`). After a failed write every later call
/// throws until a write succeeds again, so a door that cannot log stops allowing.
public final class AuditWriter: @unchecked Sendable {
    public let store: AuditStore
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var queue: [(ticket: UInt64, record: AuditRecord)] = []
    private var results: [UInt64: Result<AuditRecord, AuditError>] = [:]
    private var waiting: Set<UInt64> = []
    private var callbacks: [UInt64: @Sendable (Result<AuditRecord, AuditError>) -> Void] = [:]
    private var oldestQueued: Int64 = 0
    /// How long a queued record that nobody waits for may stay in memory.
    public var lazyDelayMilliseconds: Int64 = 5
    private var nextTicket: UInt64 = 0
    private var lastWritten: UInt64 = 0
    private var failure: AuditError?
    private var flushRequested = false
    private var stopping = false
    private var thread: pthread_t?
    public var maximumBatch = 4096

    public init(store: AuditStore) {
        self.store = store
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(done, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_cond_destroy(done)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wake.deallocate()
        done.deallocate()
    }

    /// Whether a write has failed: a caller that defers a record until its action ended asks
    /// first, and takes the durable path (which reports the failure) when it has.
    public var hasFailed: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return failure != nil
    }

    /// Queues a record; returns at once. After a failed write it waits for this record's own
    /// write instead, and throws if that fails too.
    public func enqueue(_ record: AuditRecord) throws(AuditError) {
        pthread_mutex_lock(mutex)
        if failure != nil {
            pthread_mutex_unlock(mutex)
            _ = try appendDurably(record)
            return
        }
        defer { pthread_mutex_unlock(mutex) }
        _ = queueLocked(record)
        // No wake-up per record: the writer comes by within `lazyDelay` (a wake-up per read
        // statement cost more than the statement). A full batch is worth waking for.
        if queue.count >= maximumBatch { pthread_cond_signal(wake) }
    }

    /// Queues a record and calls `completion` on the writer's thread once it is on disk (or the
    /// write failed): for callers on an event loop, which must not block.
    public func appendDurably(_ record: AuditRecord, completion: @escaping @Sendable (Result<AuditRecord, AuditError>) -> Void) {
        pthread_mutex_lock(mutex)
        let ticket = queueLocked(record)
        callbacks[ticket] = completion
        pthread_mutex_unlock(mutex)
        // Signalled after unlocking: a writer woken under the lock would find it held, sleep
        // on the mutex and need a second wake-up, on the path of a statement waiting for it.
        pthread_cond_signal(wake)
    }

    /// Queues a record and returns it as stored (index set) once it is on disk.
    public func appendDurably(_ record: AuditRecord) throws(AuditError) -> AuditRecord {
        pthread_mutex_lock(mutex)
        let ticket = queueLocked(record)
        waiting.insert(ticket)
        pthread_cond_signal(wake)
        while results[ticket] == nil { pthread_cond_wait(done, mutex) }
        let result = results.removeValue(forKey: ticket)
        pthread_mutex_unlock(mutex)
        switch result {
        case .success(let stored): return stored
        case .failure(let error): throw error
        case nil: throw AuditError("the audit writer lost a record")
        }
    }

    /// Returns once everything queued so far is written; throws the last failure, if any.
    public func flush() throws(AuditError) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let target = nextTicket
        flushRequested = true
        pthread_cond_signal(wake)
        while lastWritten < target && failure == nil && thread != nil { pthread_cond_wait(done, mutex) }
        flushRequested = false
        if let failure { throw failure }
    }

    /// Writes what is queued and ends the writer's thread (a later call starts it again).
    public func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(wake)
        while thread != nil { pthread_cond_wait(done, mutex) }
        stopping = false
        pthread_mutex_unlock(mutex)
    }

    /// Adds a record to the queue; returns its ticket. Called with `mutex` held.
    private func queueLocked(_ record: AuditRecord) -> UInt64 {
        startIfNeeded()
        if queue.isEmpty { oldestQueued = monotonicMillis() }
        let ticket = nextTicket
        nextTicket += 1
        queue.append((ticket, record))
        return ticket
    }

    // Called with `mutex` held.
    private func startIfNeeded() {
        guard thread == nil else { return }
        let box = Unmanaged.passRetained(self)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var created = pthread_t()
        let status = pthread_create(&created, &attributes, { argument in
            guard let argument else { return nil }
            let writer = Unmanaged<AuditWriter>.fromOpaque(argument).takeRetainedValue()
            writer.run()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attributes)
        if status == 0 {
            thread = created
        } else {
            box.release()
            failure = AuditError("cannot start the audit writer thread (error \(status))")
        }
    }

    /// The writer thread: takes whatever is queued, writes it as one batch, wakes the waiters.
    /// It holds the writer alive for as long as the process runs (doors live as long).
    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            // Sleep until someone waits for a record, the batch is full, or the oldest queued
            // record has waited `lazyDelay`.
            while true {
                if stopping && queue.isEmpty {
                    thread = nil
                    pthread_cond_broadcast(done)
                    pthread_mutex_unlock(mutex)
                    return
                }
                let urgent = stopping || !waiting.isEmpty || !callbacks.isEmpty || flushRequested || queue.count >= maximumBatch
                if !queue.isEmpty && (urgent || monotonicMillis() - oldestQueued >= lazyDelayMilliseconds) { break }
                let wait = queue.isEmpty ? 1000 : max(1, lazyDelayMilliseconds - (monotonicMillis() - oldestQueued))
                var deadline = timespec()
                clock_gettime(CLOCK_REALTIME, &deadline)
                let nanoseconds = Int(deadline.tv_nsec) + Int(wait) * 1_000_000
                deadline.tv_sec += nanoseconds / 1_000_000_000
                deadline.tv_nsec = nanoseconds % 1_000_000_000
                pthread_cond_timedwait(wake, mutex, &deadline)
            }
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            pthread_mutex_unlock(mutex)
            let outcome: Result<[AuditRecord], AuditError>
            do { outcome = .success(try store.append(batch.map(\.record))) } catch { outcome = .failure(error) }
            pthread_mutex_lock(mutex)
            switch outcome {
            case .success(let stored):
                failure = nil
                for (position, item) in batch.enumerated() where waiting.remove(item.ticket) != nil {
                    results[item.ticket] = .success(stored[position])
                }
            case .failure(let error):
                failure = error
                for item in batch where waiting.remove(item.ticket) != nil { results[item.ticket] = .failure(error) }
            }
            var completions: [(@Sendable (Result<AuditRecord, AuditError>) -> Void, Result<AuditRecord, AuditError>)] = []
            for (position, item) in batch.enumerated() {
                guard let callback = callbacks.removeValue(forKey: item.ticket) else { continue }
                switch outcome {
                case .success(let stored): completions.append((callback, .success(stored[position])))
                case .failure(let error): completions.append((callback, .failure(error)))
                }
            }
            if let last = batch.last { lastWritten = max(lastWritten, last.ticket + 1) }
            if !queue.isEmpty { oldestQueued = monotonicMillis() }
            pthread_cond_broadcast(done)
            pthread_mutex_unlock(mutex)
            for (callback, result) in completions { callback(result) }
            pthread_mutex_lock(mutex)
        }
    }
}

/// Milliseconds on the monotonic clock.
func monotonicMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
