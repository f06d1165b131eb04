/// What Airlock knows about a subcommand-driven CLI (kubectl, terraform, aws, prisma, rails …),
/// as data: which operations read, write or destroy, which flags change that, which flags
/// take values, and where the target comes from. `ToolCatalog.programs` says which program
/// names a spec covers.
struct ToolSpec: Sendable {
    /// Options that take a value anywhere on the line (so their values are not operations).
    var valued: [String] = []
    /// Ordered rules: the first whose pattern and flags match decides.
    var rules: [VerbRule]
    /// The effect when no rule matches: unknown operations of a remote-acting tool count as
    /// writes, so nothing is read-only by accident.
    var fallback: EffectClass = .write
    /// Where the target comes from, tried in order; the first that yields wins.
    var targets: [TargetSource] = []
    /// An operation that runs another command after `--` (`kubectl exec … -- CMD`).
    var innerCommand: InnerCommand? = nil
    /// Whether the operation is the first operand only (`git`-like) or may span several
    /// (`aws s3 rm`, `gcloud sql instances delete`): rule patterns say how many words they use.
    var operandWords: Int = 4
}

/// A rule mapping an operation to an effect: `pattern` is space-separated globs matched
/// against the leading operands (`s3 rm`, `* delete-*`, `db:drop`); `flags` require at least
/// one of these options to be present (`--force-reset`).
struct VerbRule: Sendable {
    var pattern: [String]
    var effect: EffectClass
    var flags: [String]?
    var reason: String?

    init(_ pattern: String, _ effect: EffectClass, flags: [String]? = nil, reason: String? = nil) {
        self.pattern = pattern.split(separator: " ").map(String.init)
        self.effect = effect
        self.flags = flags
        self.reason = reason
    }
}

/// A way of finding where a tool acts.
enum TargetSource: Sendable {
    /// The value of one of these options.
    case flag([String], Target.Kind)
    /// The value of one of these environment variables (also read from `.env`).
    case environment([String], Target.Kind)
    /// A database URL in one of these variables (also from `.env`): its host.
    case databaseURL([String])
    /// The current context of the kubeconfig (`KUBECONFIG`, else `~/.kube/config`).
    case kubeconfig
    /// The Terraform workspace: `TF_WORKSPACE`, else `.terraform/environment`, else `default`.
    case terraformWorkspace
    /// When one of these options is present, a fixed target (`vercel --prod` → production).
    case presence([String], Target.Kind, String)
    /// Every target the listed sources yield: a migration tool with a `DATABASE_URL` and a
    /// `RAILS_ENV` is judged in both environments, and the stricter decides.
    case all([TargetSource])
    /// A fixed fallback value (`default` AWS profile), so a target is never silently absent.
    case fixed(Target.Kind, String)
}

/// A subcommand that runs another command: the argv after `--` (or after the first operand
/// following the subcommand when `afterOperand` is set).
struct InnerCommand: Sendable {
    var verb: String
    var afterOperand: Bool
    /// The subcommand's own options that take a value (`docker exec -u USER -w DIR`).
    var valued: [String] = []
}
