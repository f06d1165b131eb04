import AirlockAudit
import AirlockCore

/// Writes a decision to the audit log before the door acts on it. A decision that cannot be
/// recorded is not made: it becomes a deny naming the cause.
public enum DecisionAudit {
    /// Action texts longer than this keep a preview in the record and the full text in the
    /// log's side store.
    public static let inlineTextLimit = 4096
    static let previewLength = 1024

    /// Appends a decision made without the gate's state (a policy that failed to load denies
    /// on its own); returns it unchanged, or turned into a deny when the log failed.
    public static func record(_ decision: Decision, context: Context, policy: Policy, door: AuditDoor, store: AuditStore) -> Decision {
        do {
            let record = try makeRecord(decision, context: context, policyDigest: digest(policy), door: door, store: store)
            var recorded = decision
            recorded.auditIndex = try store.append([record]).first?.index
            return recorded
        } catch {
            return denied(decision, cause: error.message)
        }
    }

    /// The record for a decision, with a long action text moved to the log's side store.
    static func makeRecord(_ decision: Decision, context: Context, policyDigest: String, door: AuditDoor, store: AuditStore) throws(AuditError) -> AuditRecord {
        var record = makeRecord(decision, context: context, policyDigest: policyDigest, door: door)
        if record.action.text.utf8.count > inlineTextLimit {
            record.action.fullTextDigest = try store.storeBlob(record.action.text)
            record.action.text = String(record.action.text.prefix(previewLength)) + "…"
        }
        return record
    }

    /// The deny a door gives when the log cannot be written.
    public static func denied(_ decision: Decision, cause: String) -> Decision {
        decision.denied(by: MatchedRule(
            id: "airlock-audit-error", kind: .auditError,
            reason: "the decision could not be written to the audit log, so it is denied: \(cause)",
            suggestion: "a person must fix the audit log (airlock audit verify names the problem, or check the permissions of $AIRLOCK_HOME/audit)"))
    }

    public static func makeRecord(_ decision: Decision, context: Context, policyDigest: String, door: AuditDoor) -> AuditRecord {
        let action: AuditRecord.Action
        switch decision.action {
        case .shell(let line): action = AuditRecord.Action(kind: "shell", text: line)
        case .exec(let argv): action = AuditRecord.Action(kind: "exec", text: argv.map(ShellQuoting.quoteIfNeeded).joined(separator: " "), argv: argv)
        case .file(let path, let access): action = AuditRecord.Action(kind: "file_" + access.rawValue, text: path)
        case .tool(let call): action = AuditRecord.Action(kind: "tool", text: call.displayText)
        case .sql(let request): action = AuditRecord.Action(kind: "sql", text: request.text)
        }
        let outcome: AuditRecord.Outcome = switch decision.verdict {
        case .allow: .allowed
        case .deny: decision.rule.kind == .freeze ? .frozen : .blocked
        case .ask: .approvalRequired
        }
        let deciding = decision.decidingCommand
        var record = AuditRecord(
            timestamp: AuditClock.now(), outcome: outcome, door: door, action: action,
            commands: decision.commands.map(command), environment: decision.environment,
            rule: AuditRecord.Rule(id: decision.rule.id, type: decision.rule.kind.rawValue, pattern: deciding?.rule.map { pattern($0) } ?? ""),
            reason: decision.reason,
            context: AuditRecord.Context(
                user: context.user, agent: context.agent, session: context.session, workingDirectory: context.workingDirectory, host: AuditHost.name),
            approval: decision.approval.map { AuditRecord.Approval(id: $0.id, approver: $0.approvers.isEmpty ? nil : $0.approvers.joined(separator: ", ")) },
            policyDigest: policyDigest, mode: decision.mode.rawValue)
        if decision.verdict == .allow { record.journal = decision.journal }
        return record
    }

    static func command(_ item: CommandDecision) -> AuditRecord.Command {
        let command = item.command
        return AuditRecord.Command(
            binary: command.binary, args: command.args, subcommand: command.subcommand, effect: command.effect.rawValue,
            environment: command.environment, targets: command.targets.map { "\($0.kind.rawValue):\($0.value)" },
            statement: command.sql.map {
                AuditRecord.Statement(text: $0.text, kind: $0.kind, sqlClass: $0.sqlClass.rawValue, tables: $0.tables, flags: $0.sortedFlags.map(\.rawValue))
            },
            decision: item.verdict.rawValue, rule: item.rule?.id)
    }

    /// A rule's conditions on one line (`environment=production effect_class=destructive`), so
    /// the record says what matched without the policy at hand.
    public static func pattern(_ rule: Rule) -> String {
        var parts = conditionParts(rule.when)
        if let unless = rule.unless { parts.append("unless(" + conditionParts(unless).joined(separator: " ") + ")") }
        return parts.joined(separator: " ")
    }

    static func conditionParts(_ condition: Condition) -> [String] {
        let lists = condition.flatNamedLists
        var parts = lists.compactMap { name, values in values.map { "\(name)=\($0.joined(separator: ","))" } }
        if let access = condition.pathAccess { parts.append("path_access=\(access.rawValue)") }
        if let interactive = condition.interactive { parts.append("interactive=\(interactive)") }
        return parts
    }

    /// `digest(DefaultPolicy.policy)`, written out because every hook process would otherwise
    /// encode the whole built-in policy to name it. A test fails with the new value whenever
    /// the built-in policy (or the codec) changes.
    public static let builtInPolicyDigest = "sha256:1e7a8259ccf13bfa15df7a2edd265ccb12afc73293c829857d099db530d39f7b"

    /// `sha256:<hex>` of the policy's compiled form: the same policy always has the same digest.
    public static func digest(_ policy: Policy) -> String {
        "sha256:" + Hex.encode(SHA256.hash(Array(PolicyCodec.encode(policy).utf8)))
    }
}
