import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockPostgresWire
import NIOCore

/// Where an allowed statement's audit record stands when it is forwarded, so its result
/// (rows, duration, error) can be written once the server answers.
enum Recorded {
    /// No record (no audit log, or one written at Parse for an approved prepared statement).
    case none
    /// Not written yet: written when the statement ends, with its result in it. Only records
    /// that need not be on disk before the statement runs are deferred.
    case deferred(AuditRecord)
    /// Already on disk (its index set): a second record carries the result.
    case written(AuditRecord)
}

/// A forwarded statement of the client's waiting for its end.
struct PendingResult {
    var recorded: Recorded
    var start = NIODeadline.now()
    /// Rows from each statement's CommandComplete, in order (nil: a tag without a count).
    var rows: [Int?] = []
    var error: String?

    init(recorded: Recorded) {
        self.recorded = recorded
    }

    /// The record, moved out (`.none` stays): the caller holds its only reference and can
    /// change it without copying its arrays.
    mutating func takeRecorded() -> Recorded {
        defer { recorded = .none }
        return recorded
    }
}

extension ProxyContext {
    /// The record the full pipeline wrote for an allowed decision, to be completed by a result.
    func recorded(_ decided: Decision, context: Context) -> Recorded {
        guard let index = decided.auditIndex else { return .none }
        var record = DecisionAudit.makeRecord(decided, context: context, policyDigest: gate.gate.policyDigest, door: .proxy)
        record.index = index
        return .written(record)
    }
}

extension ClientSession {
    /// Notes a forwarded server message against the client's statements: a CommandComplete's
    /// rows, an error's code, and a statement's end.
    func noteResult(_ frame: PostgresFrame, errorCode: String?) {
        switch tracker.ended {
        case .execute:
            guard var result = popResult() else { return }
            result.rows.append(Self.rows(frame))
            complete(result)
        case .query:
            guard let result = popResult() else { return }
            complete(result, error: result.error)
        case .failedExecutes(let count, let firstFailed):
            for position in 0..<count {
                guard let result = popResult() else { return }
                complete(result, error: position == 0 && firstFailed ? (errorCode ?? "error") : "skipped")
            }
        case .none:
            guard tracker.answeredClientQuery, resultsHead < results.count else { return }
            if frame.type == Backend.commandComplete {
                results[resultsHead].rows.append(Self.rows(frame))
            } else if frame.type == Backend.errorResponse {
                results[resultsHead].error = errorCode ?? "error"
            }
        }
    }

    static func rows(_ frame: PostgresFrame) -> Int? {
        guard frame.type == Backend.commandComplete, let tag = Backend.readCommandTag(frame.body) else { return nil }
        return Backend.rows(inTag: tag)
    }

    func popResult() -> PendingResult? {
        guard resultsHead < results.count else { return nil }
        let result = results[resultsHead]
        // The list lets go of the record, so the result holds its only reference.
        results[resultsHead].recorded = .none
        resultsHead += 1
        if resultsHead > 64, resultsHead * 2 > results.count {
            results.removeFirst(resultsHead)
            resultsHead = 0
        }
        return result
    }

    /// Writes a statement's record with its result: the deferred decision record, or a second
    /// record (`sql_result`) pointing at the decision already on disk. A log that fails here
    /// has already run the statement; the failure stops the next decision (the writer is then
    /// in its failed state and every later record must be durable).
    func complete(_ result: consuming PendingResult, error: String? = nil) {
        let micros = Int64((NIODeadline.now() - result.start).nanoseconds / 1000)
        var record: AuditRecord
        switch result.takeRecorded() {
        case .none:
            return
        case .deferred(let deferred):
            record = deferred
            record.result = AuditRecord.Result(durationMicroseconds: micros, error: error)
        case .written(let written):
            record = written
            record.action.kind = "sql_result"
            record.timestamp = AuditClock.now()
            record.result = AuditRecord.Result(durationMicroseconds: micros, error: error, of: written.index)
        }
        var statement = 0
        for index in record.commands.indices where record.commands[index].statement != nil {
            if statement < result.rows.count { record.commands[index].statement?.rows = result.rows[statement] }
            statement += 1
        }
        _ = try? proxy.gate.record(record, durable: false)
    }

    /// Before a record that must be durable: deferred records of statements already forwarded
    /// are queued first (without their results), since the writer writes in order and what
    /// they allowed may commit with it.
    func queueDeferredRecords() {
        for index in resultsHead..<results.count {
            guard case .deferred(let record) = results[index].recorded else { continue }
            // A failure puts the writer in its failed state: the durable record that follows
            // then reports it and nothing more runs.
            _ = try? proxy.gate.record(record, durable: false)
            results[index].recorded = .none
        }
    }

    /// The session ended with statements unanswered: their records are written, marked so.
    func abandonResults() {
        while let result = popResult() { complete(result, error: "session-ended") }
    }
}
