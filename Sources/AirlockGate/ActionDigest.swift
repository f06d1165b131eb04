import AirlockAudit
import AirlockCore

/// The identity of an action for approvals: the exact text (or argv), working directory,
/// resolved targets and environment, agent, OS user and policy. An approval is bound to this
/// digest, so one changed character, another directory, another agent or a changed policy is
/// a different action that needs its own approval.
public enum ActionDigest {
    public static func of(_ decision: Decision, context: Context, policyDigest: String) -> String {
        var fields: [String] = ["airlock-action-v1"]
        switch decision.action {
        case .shell(let line): fields += ["shell", line]
        case .exec(let argv): fields += ["exec"] + argv
        case .file(let path, let access): fields += ["file", access.rawValue, path]
        case .tool(let call):
            fields += ["tool", call.name, call.serverLocation ?? ""] + call.arguments.flatMap { [$0.key, $0.isString ? "s" : "j", $0.value] }
        case .sql(let request):
            // The classification cache is not part of the identity: the text is.
            fields += ["sql", request.dialect.rawValue, request.database, request.location, request.text]
        }
        let targets = Set(decision.commands.flatMap { command in command.command.targets.map { "\(command.command.environment)=\($0.kind.rawValue):\($0.value)" } })
        fields += ["cwd", context.workingDirectory, "environment", decision.environment, "targets"] + targets.sorted()
        fields += ["agent", context.agent ?? "", "user", context.user, "policy", policyDigest]
        // Length-prefixed, so no field can be shifted into its neighbour.
        var bytes: [UInt8] = []
        for field in fields {
            bytes += Array(String(field.utf8.count).utf8) + [0x3A] + Array(field.utf8) + [0x0A]
        }
        return "sha256:" + Hex.encode(SHA256.hash(bytes))
    }
}
