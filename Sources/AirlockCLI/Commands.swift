import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import ArgumentParser

/// The `airlock` command line: a thin shell around AirlockCore. Every verb builds values,
/// calls the pure core, and prints.
public struct AirlockCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "airlock",
        abstract: "Decide allow, ask or deny for what an AI agent is about to run, before it runs.",
        discussion: """
            Airlock reads a command line the way a shell would, finds every command that would \
            run (through sudo, bash -c, ssh, kubectl exec, npm scripts …), works out where each \
            acts (production, staging, development), and applies a declarative policy.

            Exit codes of check: 0 allow, 1 deny, 2 ask (a person must approve), 64 usage error, \
            70 internal error. Scripts must treat anything but 0 as "do not run".

            Policy: --policy FILE, else $AIRLOCK_POLICY, else $AIRLOCK_HOME/policy.yaml \
            ($AIRLOCK_HOME defaults to ~/.airlock), else the built-in default. A policy in \
            ./.airlock/policy.yaml may only add restrictions.
            """,
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, ExplainCommand.self, InitCommand.self, InstallCommand.self, DoctorCommand.self, PolicyCommand.self, SQLCommand.self, AuditCommand.self,
            PendingCommand.self, ApproveCommand.self, RejectCommand.self, FreezeCommand.self, UnfreezeCommand.self, StatusCommand.self,
            HookCommand.self, AgentsCommand.self, ProxyCommand.self, UndoCommand.self, JournalCommand.self,
        ]
    )

    public init() {}
}

/// Shared by check and explain: load the policy and decide, failing closed.
struct DecisionRun {
    let decision: Decision
    let policySource: String

    init(options: CheckOptions, explain: Bool) throws {
        let context = try options.context()
        let files = LocalFiles()
        switch PolicyResolution.load(explicit: options.policy, context: context, files: files) {
        case .loaded(let policy, let sources):
            decision = GateRun.decide(options.request, policy: policy, context: context, files: files, explain: explain)
            policySource = sources.joined(separator: " + ")
        case .failed(let problems):
            // A policy that does not load decides nothing but deny.
            let analysis = Analyzer(context: context, files: files).analyze(options.request.action)
            var denied = Evaluator.failClosed(analysis, problems: problems)
            if !explain && !options.noAudit {
                denied = DecisionAudit.record(denied, context: context, policy: Policy(source: "none (failed to load)"), door: .check, store: AuditStore(directory: context.airlockHome + "/audit"))
            }
            decision = denied
            policySource = "none (failed to load)"
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decide on a command: exit 0 allow, 1 deny, 2 ask.",
        discussion: """
            Examples:
              airlock check -- 'psql -h prod-db.internal -U admin -c "DROP TABLE executives;"'
              airlock check --format json -- kubectl get pods --all-namespaces
              airlock check --cwd ~/src/app --env DATABASE_URL=postgres://db.prod/app -- npx prisma migrate reset

            One WORD after -- is read as a shell command line; several WORDs are the argv of a \
            single command (no shell in between).
            """)

    @OptionGroup var options: CheckOptions

    func run() throws {
        let run = try DecisionRun(options: options, explain: false)
        DecisionOutput.print(run.decision, request: options.request, explain: false, policySource: run.policySource)
        throw ExitCode(AirlockExit.code(for: run.decision.verdict))
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show how a command was read and why the policy decides as it does.",
        discussion: """
            Prints every command that would run, the wrappers it was found in, its effect and \
            why, each target with where it came from and the environment it maps to, and every \
            rule of the policy with whether it matched and, if not, which condition failed. \
            Takes the same options as check and exits with the same codes.
            """)

    @OptionGroup var options: CheckOptions

    func run() throws {
        let run = try DecisionRun(options: options, explain: true)
        DecisionOutput.print(run.decision, request: options.request, explain: true, policySource: run.policySource)
        throw ExitCode(AirlockExit.code(for: run.decision.verdict))
    }
}
