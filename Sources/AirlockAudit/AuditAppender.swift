#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Group commit for a process that decides many times (the proxy, the server, a benchmark):
/// concurrent `append` calls are gathered into one write and one fsync. Each caller still
/// returns only after its own record is on disk; throughput is one fsync per batch, not per
/// record. Different processes stay safe through the store's file lock.
public final class AuditAppender: @unchecked Sendable {
    public let store: AuditStore
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var pending: [(ticket: UInt64, record: AuditRecord)] = []
    private var results: [UInt64: Result<AuditRecord, AuditError>] = [:]
    private var nextTicket: UInt64 = 0
    private var flushing = false
    private var batches = 0
    /// The most records one write carries.
    public var maximumBatch = 4096

    /// How many writes (each one fsync) the appender has made: records per batch is what
    /// group commit buys.
    public var batchesWritten: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return batches
    }

    public init(store: AuditStore) {
        self.store = store
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Appends one record; returns it as stored (index and chain link set) once durable.
    @discardableResult
    public func append(_ record: AuditRecord) throws(AuditError) -> AuditRecord {
        pthread_mutex_lock(mutex)
        let ticket = nextTicket
        nextTicket += 1
        pending.append((ticket, record))
        while true {
            if let result = results.removeValue(forKey: ticket) {
                pthread_mutex_unlock(mutex)
                return try result.get()
            }
            if !flushing {
                // Lead a batch: everything queued so far, including this caller's record.
                flushing = true
                let batch = Array(pending.prefix(maximumBatch))
                pending.removeFirst(batch.count)
                pthread_mutex_unlock(mutex)
                let outcome: Result<[AuditRecord], AuditError>
                do { outcome = .success(try store.append(batch.map(\.record))) } catch { outcome = .failure(error) }
                pthread_mutex_lock(mutex)
                batches += 1
                for (position, item) in batch.enumerated() {
                    switch outcome {
                    case .success(let stored): results[item.ticket] = .success(stored[position])
                    case .failure(let error): results[item.ticket] = .failure(error)
                    }
                }
                flushing = false
                pthread_cond_broadcast(condition)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
    }
}
