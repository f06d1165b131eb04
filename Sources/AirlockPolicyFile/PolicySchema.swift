/// The keys a policy file may use at each level, and the "did you mean" machinery for the ones
/// it may not.
enum PolicyKeys {
    static let topLevel = ["version", "mode", "default", "breaker", "environments", "rules"]
    /// A workspace policy (`.airlock/policy.yaml` in a project) may only add restrictions:
    /// rules and a breaker.
    static let workspaceTopLevel = ["version", "breaker", "rules"]
    static let environment = [
        "hosts", "kube_contexts", "aws_profiles", "workspaces", "projects", "git_remotes", "docker_hosts", "labels",
        "local_sockets",
    ]
    static let rule = ["id", "decision", "reason", "when", "unless", "suggestion", "approval", "limit", "max_rows", "examples"]
    static let condition = [
        "binary", "subcommand", "args", "environment", "effect_class", "agent", "user", "path", "path_access", "branch", "interactive",
        "sql", "tool",
    ]
    /// Inside `sql:`.
    static let sql = ["class", "tables", "kinds", "flags"]
    static let approval = ["approvers", "expires", "via"]
    /// Inside a rule's `limit:`.
    static let limit = ["count", "per", "scope", "then"]
    /// Inside the top-level `breaker:`, its `then:` and its `freeze:`.
    static let breaker = ["denials", "within", "effect_class", "then"]
    static let breakerThen = ["freeze"]
    static let freeze = ["scope", "level", "for"]
    static let examples = ["allow", "ask", "deny"]

    /// Words people reach for that are not the key's name (plurals are handled separately).
    static let synonyms: [String: [String]] = [
        "effect": ["effect_class"], "effects": ["effect_class"], "effect_classes": ["effect_class"],
        "class": ["effect_class"], "effect-class": ["effect_class"],
        "arg": ["args"], "argument": ["args"], "arguments": ["args"], "argv": ["args"],
        "command": ["binary"], "cmd": ["binary"], "program": ["binary"], "bin": ["binary"], "executable": ["binary"],
        "env": ["environment", "environments"], "envs": ["environment", "environments"],
        "branches": ["branch"], "paths": ["path"], "files": ["path"], "file": ["path"],
        "tool_name": ["tool"], "mcp": ["tool"], "mcp_tool": ["tool"], "mcp_tools": ["tool"],
        "tty": ["interactive"], "session": ["interactive"],
        "statement": ["sql"], "statements": ["sql"], "query": ["sql"],
        "classes": ["class"], "sql_class": ["class"], "table": ["tables"], "kind": ["kinds"], "flag": ["flags"],
        "tag": ["kinds"], "tags": ["kinds"], "command_tag": ["kinds"],
        "action": ["decision", "then"], "verdict": ["decision", "then"], "decision": ["then"], "effect_decision": ["decision"],
        "name": ["id"], "message": ["reason"], "description": ["reason"], "why": ["reason"],
        "if": ["when"], "match": ["when"], "condition": ["when"], "conditions": ["when"],
        "except": ["unless"], "exclude": ["unless"], "instead": ["suggestion"], "hint": ["suggestion"],
        "approve": ["approval"], "approvals": ["approval"], "approvers_required": ["approvers"],
        "expiry": ["expires"], "expire": ["expires"], "timeout": ["expires"], "ttl": ["expires"],
        "example": ["examples"], "tests": ["examples"],
        "rate_limit": ["limit"], "ratelimit": ["limit"], "rate": ["limit"], "throttle": ["limit"], "quota": ["limit"],
        "max": ["count"], "times": ["count"], "calls": ["count"], "uses": ["count"],
        "window": ["per", "within"], "period": ["per", "within"], "interval": ["per", "within"], "every": ["per"], "for": ["per"], "within": ["per"], "per": ["within"],
        "else": ["then"], "otherwise": ["then"], "over": ["then"], "exceeded": ["then"], "on_trip": ["then"],
        "circuit_breaker": ["breaker"], "circuitbreaker": ["breaker"], "breakers": ["breaker"], "trip": ["breaker"],
        "threshold": ["denials"], "max_denials": ["denials"], "failures": ["denials"], "denial": ["denials"],
        "duration": ["for"], "length": ["for"], "freeze_for": ["for"], "lock": ["freeze"], "frozen": ["freeze"],
        "allowed": ["allow"], "asked": ["ask"], "denied": ["deny", "denials"], "denies": ["deny"], "block": ["deny"],
        "blocked": ["deny"], "approve_required": ["ask"], "confirm": ["ask"], "permit": ["allow"],
        "default_decision": ["default"], "defaultdecision": ["default"],
        "sockets": ["local_sockets"], "local_socket": ["local_sockets"], "socket": ["local_sockets"],
        "kube": ["kube_contexts"], "contexts": ["kube_contexts"], "kubecontexts": ["kube_contexts"],
        "aws": ["aws_profiles"], "profiles": ["aws_profiles"], "remotes": ["git_remotes"],
        "docker": ["docker_hosts"], "stacks": ["workspaces"], "stack": ["workspaces"],
    ]

    /// The known key an unknown one most likely meant, or nil when none is close.
    static func suggestion(for key: String, among known: [String]) -> String? {
        let lowered = key.lowercased()
        let normalized = lowered.replacing("-", with: "_").replacing(" ", with: "_")
        if known.contains(normalized) { return normalized }
        for candidate in [lowered, normalized] {
            if let words = synonyms[candidate], let match = words.first(where: known.contains) { return match }
        }
        // Singular for plural and back: `binaries` → `binary`, `branches` → `branch`,
        // `host` → `hosts`, `environments` → `environment`.
        var forms = [normalized + "s", normalized + "es"]
        if normalized.hasSuffix("ies") { forms.append(String(normalized.dropLast(3)) + "y") }
        if normalized.hasSuffix("es") { forms.append(String(normalized.dropLast(2))) }
        if normalized.hasSuffix("s") { forms.append(String(normalized.dropLast())) }
        if let match = forms.first(where: known.contains) { return match }

        let limit = normalized.count <= 4 ? 1 : normalized.count <= 8 ? 2 : 3
        var best: (key: String, distance: Int)? = nil
        for candidate in known {
            let distance = editDistance(normalized, candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions (`binray` → `binary` is one edit).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars)
        let t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        // Keys are short; a full table is fine and keeps transpositions simple.
        var d = Array(repeating: Array(repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ words: [String]) -> String {
        switch words.count {
        case 0: return ""
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " or " + (words.last ?? "")
        }
    }
}
