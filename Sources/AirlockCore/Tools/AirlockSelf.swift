/// Airlock's own command line, run by an agent. Reading verbs (`check`, `explain`, `policy
/// show|lint|test`, `pending`, `agents list`) are allowed; control verbs (approving,
/// unfreezing, changing policy or keys, issuing or revoking agent tokens) are destructive to
/// the gate itself, and the default policy denies them.
enum AirlockSelf {
    /// Both executables: an agent calling `airlock-cli` directly must meet the same rules.
    static let handlers: [String: Tools.Handler] = ["airlock": airlock, "airlock-cli": airlock]

    static let readVerbs: Set<String> = ["check", "explain", "pending", "status", "version", "help", "doctor", "audit", "--help", "-h", "--version"]
    static let readPolicyVerbs: Set<String> = ["show", "lint", "test"]

    static let airlock: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--policy", "--agent", "--cwd", "--env", "--format"], stopAtFirstOperand: true)
        let verb = scan.operands.first?.arg.text ?? "help"
        let next = scan.operands.dropFirst().first?.arg.text
        let airlockHome = PathAccess(session.context.airlockHome, .write)
        if readVerbs.contains(verb) && !(verb == "audit" && next != "verify" && next != "show" && next != "export" && next != nil) {
            Tools.emit(invocation.command(.read, "airlock \(verb) only reads", subcommand: verb), invocation, session: session)
        } else if verb == "policy", let next, readPolicyVerbs.contains(next) {
            Tools.emit(invocation.command(.read, "airlock policy \(next) only reads", subcommand: "policy \(next)"), invocation, session: session)
        } else if verb == "agents", next == nil || (next == "list" && scan.operands.dropFirst().first?.arg.known == true) {
            // Listing names (or the help bare `agents` prints) reads; adding or removing an agent
            // mints or revokes an identity the proxies accept, so it falls through to the controls.
            let shown = next.map { "agents " + $0 } ?? "agents"
            Tools.emit(invocation.command(.read, "airlock \(shown) only reads", subcommand: shown), invocation, session: session)
        } else {
            let shown = ([verb] + (next.map { [$0] } ?? [])).joined(separator: " ")
            Tools.emit(invocation.command(.destructive, "airlock \(shown) changes Airlock's own controls", subcommand: verb, paths: [airlockHome]), invocation, session: session)
        }
    }
}
