#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AirlockAudit
import AirlockCore
import AirlockState
import Synchronization

/// The gate for a long-lived door that decides on every statement of many sessions (the
/// PostgreSQL proxy). Same pipeline as `Gate`, with two changes that keep a busy door fast:
///
/// - **Allowed decisions that change no state** (no rate limit counted, no freeze in force for
///   them) skip the state store's write transaction. Freezes are read from the store again
///   whenever its file changes (a freeze, an approval, anything) and at least every 250 ms, so
///   a freeze set by another process holds from the next statement on.
/// - **Audit records go through one group-commit writer.** `record(_:durable:)` either returns
///   once the record is on disk (for anything that may change the system: the door waits
///   before acting) or queues it to be written with the next batch (reads, which change
///   nothing, so a crash can lose at most the last batch's reads and nothing that acted).
///
/// Everything else — denials (the circuit breaker counts them), asks (approval requests),
/// rate-limited rules, freezes — goes through `Gate.decide` unchanged.
public final class StreamingGate: Sendable {
    public let gate: Gate
    private let statePath: String?
    private let freezes: Mutex<FreezeSnapshot>
    private let writer: AuditWriter?
    private let hasRateLimits: Bool

    struct FreezeSnapshot {
        var freezes: [Freeze] = []
        var readAt: Millis = -1
        var fileStamp: [Int] = []
        var checkedAt: Millis = -1
    }

    /// - Parameter statePath: the SQLite store's file, watched for changes (nil: re-read the
    ///   freezes before every decision).
    public init(gate: Gate, statePath: String?) {
        self.gate = gate
        self.statePath = statePath
        self.freezes = Mutex(FreezeSnapshot())
        self.writer = gate.audit.map { AuditWriter(store: $0) }
        self.hasRateLimits = gate.policy.rules.contains { $0.limit != nil }
    }

    /// The outcome of `decide`: the decision, and for an allowed one the record the door must
    /// write (`record`) before or while acting.
    public struct Outcome: Sendable {
        public var decision: Decision
        /// Set when the state and audit part still has to run (`finish` does it, blocking).
        public var needsFullPipeline: Bool
        /// For a quick allow: the audit record to write.
        public var record: AuditRecord?
    }

    /// The policy's decision and, when no state can change it, the quick allow. Pure apart from
    /// reading the freeze snapshot (a `stat` of the store's file; a read when it changed).
    public func decide(_ action: Action, context: Context) -> Outcome {
        decide(policyDecision(action, context: context), context: context)
    }

    /// The policy's decision alone: pure, and the same every time for the same action and
    /// context, so a door may keep it (a prepared statement's) and pass it to `decide` later.
    public func policyDecision(_ action: Action, context: Context) -> Decision {
        gate.checker.check(action, context: context, explain: false).decision
    }

    /// The state part for a policy decision made earlier: a quick allow, or the full pipeline.
    public func decide(_ decision: Decision, context: Context) -> Outcome {
        guard decision.verdict == .allow, !hasRateLimits else {
            return Outcome(decision: decision, needsFullPipeline: true, record: nil)
        }
        guard let active = activeFreezes() else {
            return Outcome(decision: decision, needsFullPipeline: true, record: nil)
        }
        if active.contains(where: { FreezeMatch.applies($0, to: decision, context: context) }) {
            return Outcome(decision: decision, needsFullPipeline: true, record: nil)
        }
        guard gate.audit != nil else { return Outcome(decision: decision, needsFullPipeline: false, record: nil) }
        let record = DecisionAudit.makeRecord(decision, context: context, policyDigest: gate.policyDigest, door: .proxy)
        return Outcome(decision: decision, needsFullPipeline: false, record: record)
    }

    /// The full pipeline (state transaction and durable audit) for a decision `decide` could
    /// not finish. Blocks: call it off the event loop.
    public func finish(_ decision: Decision, context: Context) -> Decision {
        let decided = gate.decide(decision, context: context, door: .proxy)
        invalidateFreezes()
        return decided
    }

    /// Writes a quick allow's record: returns once it is durable when `durable`, else queues it.
    /// Blocks when durable: call it off the event loop. Throws when the log cannot be written
    /// (the door then denies: nothing acts without its record).
    @discardableResult
    public func record(_ record: AuditRecord, durable: Bool) throws(AuditError) -> UInt64? {
        guard let writer else { return nil }
        if durable { return try writer.appendDurably(record).index }
        try writer.enqueue(record)
        return nil
    }

    /// Whether queued records can be trusted to reach the log: false once a write failed (a
    /// door then writes durably, which names the failure, instead of deferring a record).
    public var canDefer: Bool { !(writer?.hasFailed ?? false) }

    /// Writes a quick allow's record and calls `completion` (on the audit writer's thread) once
    /// it is durable, or with the error: for a door on an event loop.
    public func recordDurably(_ record: AuditRecord, completion: @escaping @Sendable (Result<AuditRecord, AuditError>) -> Void) {
        guard let writer else { return completion(.success(record)) }
        writer.appendDurably(record, completion: completion)
    }

    /// Writes every queued record and stops the writer's thread.
    public func close() {
        writer?.stop()
    }

    /// Writes every queued record (for shutdown and tests).
    public func flush() throws(AuditError) {
        try writer?.flush()
    }

    /// Where a held `ask` stands, read without changing anything: still waiting for a person,
    /// answered (approved, rejected or lapsed: `finish` now decides), or stopped by a freeze.
    public enum HoldState: Sendable {
        case waiting, answered, frozen
    }

    /// Blocks (a store read): call it off the event loop.
    public func holdState(requestID: String, decision: Decision, context: Context) -> HoldState {
        let now = gate.clock()
        do {
            return try gate.store.read { reader in
                if try reader.activeFreezes(at: now).contains(where: { FreezeMatch.applies($0, to: decision, context: context) }) { return .frozen }
                guard let request = try reader.request(id: requestID) else { return .answered }
                return request.status(at: now) == .pending ? .waiting : .answered
            }
        } catch {
            return .answered  // `finish` reports the store's failure as a deny
        }
    }

    // MARK: Freezes

    private func activeFreezes() -> [Freeze]? {
        let now = gate.clock()
        // Within a millisecond of the last look the snapshot stands: a busy door does not
        // `stat` the store for every statement.
        let recent: [Freeze]? = freezes.withLock { snapshot in
            guard statePath != nil, snapshot.readAt >= 0, snapshot.checkedAt >= 0, now - snapshot.checkedAt < 1 else { return nil }
            return snapshot.freezes.filter { $0.isActive(at: now) }
        }
        if let recent { return recent }
        let stamp = statePath.map(Self.fileStamp) ?? []
        let cached: [Freeze]? = freezes.withLock { snapshot in
            guard statePath != nil, snapshot.readAt >= 0, snapshot.fileStamp == stamp, now - snapshot.readAt < 250 else { return nil }
            snapshot.checkedAt = now
            return snapshot.freezes.filter { $0.isActive(at: now) }
        }
        if let cached { return cached }
        do {
            let read = try gate.store.read { try $0.activeFreezes(at: now) }
            freezes.withLock { $0 = FreezeSnapshot(freezes: read, readAt: now, fileStamp: stamp, checkedAt: now) }
            return read
        } catch {
            return nil  // the full pipeline reports the store's failure as a deny
        }
    }

    private func invalidateFreezes() {
        freezes.withLock { $0.readAt = -1 }
    }

    /// Size, modification time and inode of a file (empty when it does not exist): any commit
    /// to the store changes at least one of them.
    public static func fileStamp(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ino), Int(info.st_ctim.tv_nsec)]
    }
}
