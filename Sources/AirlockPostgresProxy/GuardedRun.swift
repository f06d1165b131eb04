import AirlockAudit
import AirlockJournal
import AirlockPostgresWire
import NIOCore
import NIOPosix

/// One client statement run under a row cap or the undo journal, and where it stands.
///
/// The proxy wraps it in a transaction of its own (`BEGIN`, or a savepoint when the client is
/// already in a block), reads the rows it will change first when they must be journaled, runs
/// it, and decides at its end: commit, or roll back and refuse. Its CommandComplete is held
/// back until then, so the client never hears that rows changed that were rolled back.
final class GuardedRun {
    /// A statement of the proxy's own awaiting its answers, or the client's.
    enum Step {
        /// `BEGIN`/`SAVEPOINT`, and the session settings the journal's text values are in.
        case open
        /// The pre-image SELECT … FOR UPDATE.
        case capture
        /// The client's statement.
        case statement
        /// `COMMIT` or `RELEASE SAVEPOINT`: its ReadyForQuery ends the run.
        case commit
        /// `ROLLBACK` after the statement failed: its ReadyForQuery ends the run.
        case rollback
        /// `ROLLBACK` (or to the savepoint) before the refusal is sent.
        case rollbackThenRefuse(ErrorFields)
    }

    let plan: GuardPlan
    let frame: PostgresFrame
    /// The client was not in a transaction block: the proxy's BEGIN is the transaction.
    let ownTransaction: Bool
    var result: PendingResult
    var steps: [Step] = []
    /// Why the run must stop before the client's statement (a failed BEGIN or capture).
    var failure: String?
    var statementError: String?
    var heldComplete: PostgresFrame?
    var commitError: PostgresFrame?
    var rows: Int?
    /// The journal entry being written, and the rows captured by (tableoid, ctid).
    var journal: JournalEntryWriter?
    var journalTable = 0
    var captured: Set<[UInt8]> = []
    var settings: [String: String] = [:]

    static let savepoint = "airlock_guard"
    /// Read in the same message as BEGIN: the settings that decide how values print as text
    /// (the ones undo applies again), and the schema the session's search_path finds the
    /// target in (Airlock's own connection may have another search_path).
    static let settingNames = RestoreSettings.names
    var schema: String?

    init(plan: GuardPlan, frame: PostgresFrame, ownTransaction: Bool, result: PendingResult) {
        self.plan = plan
        self.frame = frame
        self.ownTransaction = ownTransaction
        self.result = result
    }

    var openStatement: String {
        let open = ownTransaction ? "BEGIN" : "SAVEPOINT \(Self.savepoint)"
        guard let capture = plan.preImages else { return open }
        let settings = Self.settingNames.map { "pg_catalog.current_setting('\($0)')" }
        // The name as the statement wrote it, quoted for to_regclass and then as a literal.
        let name = [capture.schema, capture.table].compactMap { $0 }.map(SQLQuoting.identifier).joined(separator: ".")
        let literal = (try? SQLQuoting.literal(name)) ?? "NULL"
        let schema = "(SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass(\(literal)))"
        return open + "; SELECT " + (settings + [schema]).joined(separator: ", ")
    }

    var commitStatement: String { ownTransaction ? "COMMIT" : "RELEASE SAVEPOINT \(Self.savepoint)" }

    var rollbackStatement: String {
        ownTransaction ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(Self.savepoint); RELEASE SAVEPOINT \(Self.savepoint)"
    }
}

extension ClientSession {
    /// Starts a guarded run: the proxy's BEGIN (and capture) go first; the client's statement
    /// follows only once they succeeded.
    func runGuarded(_ frame: PostgresFrame, plan: GuardPlan, recorded: Recorded, journalID: String?) {
        // In a failed transaction the statement cannot run: the server refuses it as usual.
        if transactionStatus == UInt8(ascii: "E") {
            forward(frame)
            tracker.expect(.query(injected: false))
            results.append(PendingResult(recorded: recorded))
            return
        }
        if !plan.snapshot.isEmpty { return snapshotThenRun(frame, plan: plan, recorded: recorded, journalID: journalID) }
        let run = GuardedRun(plan: plan, frame: frame, ownTransaction: !inTransactionBlock, result: PendingResult(recorded: recorded))
        if plan.preImages != nil, let journalID {
            do {
                run.journal = try Journal(home: proxy.home).begin(
                    id: journalID, kind: plan.kind == "DELETE" ? .deletePreImages : .updatePreImages, upstream: proxy.upstream.name,
                    database: proxy.upstream.database, environment: proxy.upstream.environment,
                    statement: (try? Frontend.queryText(frame.body)) ?? "", agent: agent, session: sessionID)
            } catch {
                return refuseGuarded(run, StatementDenial.refusal("the undo journal cannot be written, so the approved statement does not run: \(error)"))
            }
        }
        guarded = run
        deciding = true
        sendOwn(run.openStatement, step: .open, in: run)
        if let capture = plan.preImages { sendOwn(capture.query, step: .capture, in: run) }
    }

    /// An approved DROP TABLE or TRUNCATE: the tables are copied into the journal over
    /// Airlock's own connection first, and the statement goes only once the entry is on disk.
    /// The snapshot waits at most 5 s for locks: a table the session itself has locked (in its
    /// open transaction) cannot be read from another connection, and the statement is refused
    /// rather than run without a way back.
    private func snapshotThenRun(_ frame: PostgresFrame, plan: GuardPlan, recorded: Recorded, journalID: String?) {
        guard let channel, let journalID else { return }
        let writer: JournalEntryWriter
        do {
            writer = try Journal(home: proxy.home).begin(
                id: journalID, kind: plan.kind == "TRUNCATE" ? .truncateSnapshot : .dropSnapshot, upstream: proxy.upstream.name,
                database: proxy.upstream.database, environment: proxy.upstream.environment,
                statement: (try? Frontend.queryText(frame.body)) ?? "", agent: agent, session: sessionID)
        } catch {
            complete(PendingResult(recorded: recorded), error: "42501")
            return refuse(StatementDenial.refusal("the undo journal cannot be written, so the approved statement does not run: \(error)"))
        }
        let tables = plan.snapshot.map { name -> (schema: String?, name: String) in
            guard let dot = name.lastIndex(of: ".") else { return (nil, name) }
            return (String(name[..<dot]), String(name[name.index(after: dot)...]))
        }
        let (upstream, password, group) = (proxy.upstream, proxy.upstreamPassword, proxy.group)
        deciding = true
        proxy.background.run(on: channel.eventLoop) { () async throws -> JournalEntry in
            let connection = try await UpstreamConnection.connect(to: upstream, password: password, group: group, settings: ["lock_timeout": "5s"])
            defer { connection.close() }
            try await TableSnapshot.capture(tables: tables, over: connection, into: writer)
            return try writer.commit()
        }.whenComplete { [self] outcome in
            deciding = false
            guard case .ready = phase else { return writer.abandon() }
            if cancelPending, case .success = outcome {
                // Cancelled while the snapshot ran: the statement has not been sent.
                cancelPending = false
                complete(PendingResult(recorded: recorded), error: "57014")
                refuse(Self.cancelled)
                return drain()
            }
            switch outcome {
            case .success(let entry):
                let rows = entry.tables.map { "\($0.name) (\($0.rows) rows)" }.joined(separator: ", ")
                if case .written(let record) = recorded {
                    send(Self.notice("Airlock snapshotted \(rows.isEmpty ? "nothing (no such table)" : rows) as journal entry \(entry.id); `airlock undo \(record.index)` restores it"))
                }
                forward(frame)
                tracker.expect(.query(injected: false))
                results.append(PendingResult(recorded: recorded))
            case .failure(let error):
                writer.abandon()
                complete(PendingResult(recorded: recorded), error: "42501")
                refuse(StatementDenial.refusal(
                    "Airlock could not snapshot the table before the approved statement, so it does not run: \(error)",
                    hint: "if this session's own open transaction holds a lock on the table, commit or roll back first"))
            }
            drain()
        }
    }

    private func sendOwn(_ statement: String, step: GuardedRun.Step, in run: GuardedRun) {
        forward(Frontend.queryFrame(statement))
        tracker.expect(.own)
        run.steps.append(step)
    }

    /// Copy data the client sends for the guarded statement passes while it runs.
    func guardedWantsCopy(_ frame: PostgresFrame) -> Bool {
        guard let run = guarded, case .statement? = run.steps.first else { return false }
        return frame.type == Frontend.copyData || frame.type == Frontend.copyDone || frame.type == Frontend.copyFail
    }

    /// A server message for the proxy's own statements or the guarded one.
    func guardedReceive(_ frame: PostgresFrame, errorCode: String?) {
        guard let run = guarded, let step = run.steps.first else { return }
        let isEnd = frame.type == Backend.readyForQuery
        if isEnd { run.steps.removeFirst() }
        switch step {
        case .open:
            if frame.type == Backend.dataRow, let values = try? Backend.readDataRow(frame.body) {
                for (name, value) in zip(GuardedRun.settingNames, values) {
                    if let value { run.settings[name] = String(decoding: value, as: UTF8.self) }
                }
                if values.count > GuardedRun.settingNames.count, let schema = values[GuardedRun.settingNames.count] {
                    run.schema = String(decoding: schema, as: UTF8.self)
                }
            } else if frame.type == Backend.errorResponse {
                run.failure = "Airlock could not open its transaction around the statement: \(Self.message(frame))"
            }
            if isEnd, run.plan.preImages == nil { afterPreparation(run) }
        case .capture:
            capture(frame, in: run)
            if isEnd { afterPreparation(run) }
        case .statement:
            switch frame.type {
            case Backend.commandComplete:
                run.heldComplete = frame
                run.rows = Self.rows(frame)
            case Backend.errorResponse:
                run.statementError = errorCode ?? "error"
                send(frame)
            case Backend.readyForQuery:
                statementEnded(run, readyForQuery: frame)
            default:
                send(frame)  // rows, COPY, notices: the client's
            }
        case .commit:
            if frame.type == Backend.errorResponse { run.commitError = frame }
            if isEnd {
                if let error = run.commitError {
                    send(error)
                    finishGuarded(run, error: "commit-failed")
                } else {
                    if let complete = run.heldComplete { send(complete) }
                    if let entry = run.journal?.current, case .written(let record) = run.result.recorded {
                        let rows = entry.tables.first?.rows ?? 0
                        send(Self.notice("Airlock journaled the \(rows) row(s) before this statement as entry \(entry.id); `airlock undo \(record.index)` restores them"))
                    }
                    finishGuarded(run, error: nil)
                }
                send(frame)
            }
        case .rollback:
            if isEnd {
                finishGuarded(run, error: run.statementError)
                send(frame)
            }
        case .rollbackThenRefuse(let error):
            if isEnd {
                finishGuarded(run, error: "42501")
                refuse(error)
            }
        }
    }

    private func capture(_ frame: PostgresFrame, in run: GuardedRun) {
        guard run.failure == nil, let journal = run.journal else { return }
        do {
            switch frame.type {
            case Backend.rowDescription:
                // tableoid and ctid come first: they tell rows apart, and are not the table's.
                let fields = try Backend.readRowDescription(frame.body).dropFirst(2)
                run.journalTable = try journal.addTable(
                    schema: run.schema ?? run.plan.preImages?.schema, name: run.plan.preImages?.table ?? "",
                    columns: fields.map { JournalEntry.Column(name: $0.name, typeOID: $0.typeOID, typeModifier: $0.typeModifier) },
                    definition: nil, settings: run.settings)
            case Backend.dataRow:
                let values = try Backend.readDataRow(frame.body)
                guard values.count >= 2 else { throw PostgresProtocolError("a pre-image row without its tableoid and ctid") }
                let key = (values[0] ?? []) + [0] + (values[1] ?? [])
                if run.captured.insert(key).inserted { try journal.append(row: Array(values.dropFirst(2)), table: run.journalTable) }
            case Backend.errorResponse:
                run.failure = "Airlock could not read the rows the statement will change, to journal them: \(Self.message(frame))"
            default:
                break
            }
        } catch {
            run.failure = "the undo journal cannot be written, so the approved statement does not run: \(error)"
        }
    }

    /// BEGIN and the capture are done: run the client's statement, or stop.
    private func afterPreparation(_ run: GuardedRun) {
        if let failure = run.failure {
            run.journal?.abandon()
            return rollbackAndRefuse(run, StatementDenial.refusal(failure))
        }
        if let cap = run.plan.cap, run.plan.preImages != nil, run.captured.count > cap {
            run.journal?.abandon()
            return rollbackAndRefuse(run, capError(cap, rows: run.captured.count))
        }
        forward(run.frame)
        tracker.expect(.guarded)
        run.steps.append(.statement)
        run.result.start = .now()
    }

    private func statementEnded(_ run: GuardedRun, readyForQuery: PostgresFrame) {
        if run.statementError != nil {
            run.journal?.abandon()
            if run.ownTransaction {
                sendOwn("ROLLBACK", step: .rollback, in: run)
            } else {
                // In the client's block the error aborted its transaction, as the server's own
                // refusal does; the savepoint goes with the client's ROLLBACK.
                finishGuarded(run, error: run.statementError)
                send(readyForQuery)
            }
            return
        }
        let rows = run.rows ?? 0
        if let cap = run.plan.cap, rows > cap {
            run.journal?.abandon()
            return rollbackAndRefuse(run, capError(cap, rows: rows))
        }
        if run.journal != nil, rows != run.captured.count {
            run.journal?.abandon()
            return rollbackAndRefuse(run, StatementDenial.refusal(
                "the statement changed \(rows) row(s) but Airlock captured \(run.captured.count) pre-image(s), so it was rolled back rather than leave changes the journal cannot undo",
                hint: "a volatile predicate (random(), now()) or a trigger that skips rows makes the two differ; make the WHERE clause deterministic"))
        }
        guard let journal = run.journal, let channel else {
            return sendOwn(run.commitStatement, step: .commit, in: run)
        }
        // The journal must be on disk before the change commits.
        proxy.threads.runIfActive(eventLoop: channel.eventLoop) { try journal.commit() }.assumeIsolated().whenComplete { [self] outcome in
            guard guarded === run, case .ready = phase else { return }
            switch outcome {
            case .success:
                sendOwn(run.commitStatement, step: .commit, in: run)
            case .failure(let error):
                journal.abandon()
                rollbackAndRefuse(run, StatementDenial.refusal("the undo journal cannot be written, so the approved statement was rolled back: \(error)"))
            }
            flush()
        }
    }

    private func capError(_ cap: Int, rows: Int) -> ErrorFields {
        StatementDenial.refusal(
            "the statement would change \(rows) rows and a rule caps it at \(cap), so it was rolled back",
            hint: "narrow the WHERE clause, or change the rows in batches of at most \(cap)")
    }

    private func rollbackAndRefuse(_ run: GuardedRun, _ error: ErrorFields) {
        sendOwn(run.rollbackStatement, step: .rollbackThenRefuse(error), in: run)
    }

    /// A refusal before anything of the run was sent.
    private func refuseGuarded(_ run: GuardedRun, _ error: ErrorFields) {
        complete(run.result, error: "42501")
        refuse(error)
    }

    /// The failing statement in the refused one's place: the client gets the error (and its
    /// transaction aborts) exactly as if the server had refused.
    func refuse(_ error: ErrorFields) {
        denials.append(error)
        forward(Frontend.queryFrame(StatementDenial.failingStatement))
        tracker.expect(.query(injected: true))
    }

    private func finishGuarded(_ run: GuardedRun, error: String?) {
        var result = run.result
        result.rows = [run.rows]
        complete(result, error: error)
        guarded = nil
        deciding = false
        // Later client messages wait in the inbox; go on with them once this message is out.
        channel?.eventLoop.execute { [self] in drain() }
    }

    static func message(_ frame: PostgresFrame) -> String {
        (try? ErrorFields(frame.body))?.message ?? "unknown error"
    }

    static func notice(_ text: String) -> PostgresFrame {
        PostgresFrame(type: Backend.noticeResponse, body: ErrorFields(severity: "NOTICE", code: "00000", message: text).frame().body)
    }
}
