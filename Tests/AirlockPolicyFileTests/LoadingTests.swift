import AirlockCore
@testable import AirlockPolicyFile
import Testing

/// Layering with an in-memory file system.
@Suite("Finding and layering policies")
struct LoadingTests {
    static let home = "/home/dev/.airlock"
    static let cwd = "/home/dev/project"

    static func policy(_ name: String) -> String {
        """
        version: 1
        default: ask
        environments:
          production: { labels: [prod] }
        rules:
          - { id: \(name), decision: deny, reason: from \(name), when: { environment: production } }
        """
    }

    static let workspace = """
    version: 1
    rules:
      - id: no-migrations
        decision: deny
        reason: migrations go through CI
        when: { binary: rails, subcommand: "db:migrate", environment: production }
      - id: careful-with-fixtures
        decision: ask
        reason: fixtures are shared
        when: { path: "{cwd}/fixtures/**", effect_class: [write, destructive] }
    """

    /// Loads with `files` as the file system; records every path read.
    final class FakeFiles {
        var files: [String: String]
        var reads: [String] = []
        init(_ files: [String: String]) { self.files = files }
        func read(_ path: String) -> String? {
            reads.append(path)
            return files[path]
        }
    }

    func load(_ files: [String: String], explicit: String? = nil, environment: [String: String] = [:], cwd: String = cwd) -> (LoadedPolicy, [String]) {
        let fake = FakeFiles(files)
        let loaded = PolicyLoader.load(explicit: explicit, environment: environment, airlockHome: Self.home, workingDirectory: cwd, readFile: fake.read)
        return (loaded, fake.reads)
    }

    // MARK: Base order

    @Test func withNoFilesTheBuiltInPolicyApplies() throws {
        let (loaded, reads) = load([:])
        #expect(loaded == .loaded(DefaultPolicy.policy, sources: ["built-in"]))
        #expect(reads == ["/home/dev/.airlock/policy.yaml", "/home/dev/project/.airlock/policy.yaml"])
    }

    @Test func airlockHomePolicyReplacesTheBuiltIn() throws {
        let (loaded, _) = load(["/home/dev/.airlock/policy.yaml": Self.policy("home")])
        let policy = try #require(loaded.policy)
        #expect(policy.rules.map(\.id) == ["home"])
        #expect(policy.source == "/home/dev/.airlock/policy.yaml")
        #expect(loaded.sources == ["/home/dev/.airlock/policy.yaml"])
        #expect(loaded.errors.isEmpty)
    }

    @Test func environmentVariableBeatsAirlockHome() throws {
        let (loaded, reads) = load(
            ["/etc/airlock.yaml": Self.policy("env"), "/home/dev/.airlock/policy.yaml": Self.policy("home")],
            environment: ["AIRLOCK_POLICY": "/etc/airlock.yaml"])
        #expect(loaded.policy?.rules.map(\.id) == ["env"])
        #expect(loaded.sources == ["/etc/airlock.yaml"])
        #expect(!reads.contains("/home/dev/.airlock/policy.yaml"))
    }

    @Test func explicitBeatsEverything() throws {
        let (loaded, reads) = load(
            ["/etc/airlock.yaml": Self.policy("env"), "/home/dev/.airlock/policy.yaml": Self.policy("home"), "/x/p.yaml": Self.policy("explicit")],
            explicit: "/x/p.yaml", environment: ["AIRLOCK_POLICY": "/etc/airlock.yaml"])
        #expect(loaded.policy?.rules.map(\.id) == ["explicit"])
        #expect(reads.first == "/x/p.yaml")
        #expect(!reads.contains("/etc/airlock.yaml"))
    }

    @Test func relativeExplicitPathIsTakenFromTheWorkingDirectory() throws {
        let (loaded, _) = load(["/home/dev/project/policies/strict.yaml": Self.policy("strict")], explicit: "policies/../policies/strict.yaml")
        #expect(loaded.policy?.rules.map(\.id) == ["strict"])
        #expect(loaded.sources == ["/home/dev/project/policies/strict.yaml"])
    }

    @Test func emptyEnvironmentVariableIsIgnored() throws {
        let (loaded, _) = load([:], environment: ["AIRLOCK_POLICY": ""])
        #expect(loaded.policy == DefaultPolicy.policy)
    }

    // MARK: Failing closed

    @Test func missingExplicitFileIsAnErrorNotAFallback() throws {
        let (loaded, _) = load(["/home/dev/.airlock/policy.yaml": Self.policy("home")], explicit: "/nope.yaml")
        #expect(loaded.policy == nil)
        #expect(loaded.sources.isEmpty)
        #expect(loaded.errors == [PolicyError(file: "/nope.yaml", line: nil, message: "the policy file named by --policy does not exist or cannot be read")])
    }

    @Test func missingEnvironmentFileIsAnErrorNotAFallback() throws {
        let (loaded, _) = load([:], environment: ["AIRLOCK_POLICY": "/nope.yaml"])
        #expect(loaded == .failed([PolicyError(file: "/nope.yaml", line: nil, message: "the policy file named by $AIRLOCK_POLICY does not exist or cannot be read")]))
    }

    @Test func invalidBasePolicyFails() throws {
        let (loaded, _) = load(["/home/dev/.airlock/policy.yaml": "version: 1\nmode: loose\n"])
        #expect(loaded.policy == nil)
        #expect(loaded.errors.map(\.description) == ["/home/dev/.airlock/policy.yaml:2: invalid mode 'loose'; expected enforce or monitor"])
    }

    @Test func invalidWorkspacePolicyFailsTheWhole() throws {
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": "version: 1\nrules: {}\n"])
        #expect(loaded.policy == nil)
        #expect(loaded.errors.first?.file == "/home/dev/project/.airlock/policy.yaml")
        #expect(loaded.errors.first?.line == 2)
    }

    // MARK: Workspace policy

    @Test func workspaceRulesAreAppendedWithAPrefix() throws {
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": Self.workspace])
        let policy = try #require(loaded.policy)
        #expect(loaded.sources == ["built-in", "/home/dev/project/.airlock/policy.yaml"])
        #expect(policy.source == "built-in + /home/dev/project/.airlock/policy.yaml")
        #expect(policy.rules.count == DefaultPolicy.policy.rules.count + 2)
        #expect(Array(policy.rules.prefix(DefaultPolicy.policy.rules.count)) == DefaultPolicy.policy.rules)
        let added = policy.rules.suffix(2)
        #expect(added.map(\.id) == ["workspace:no-migrations", "workspace:careful-with-fixtures"])
        #expect(added.map(\.line) == [3, 7])
        #expect(added.first?.when.environments == ["production"])
        // Everything but the rules comes from the base.
        #expect(policy.environments == DefaultPolicy.policy.environments)
        #expect(policy.mode == .enforce)
        #expect(policy.defaultDecision == .allow)
    }

    @Test func workspaceLayersOnAFileBaseToo() throws {
        let (loaded, _) = load([
            "/home/dev/.airlock/policy.yaml": Self.policy("home"),
            "/home/dev/project/.airlock/policy.yaml": "version: 1\nrules:\n  - { id: home, decision: ask, reason: r, when: { environment: production } }\n",
        ])
        let policy = try #require(loaded.policy)
        // The same id in both files does not collide: the workspace one is prefixed.
        #expect(policy.rules.map(\.id) == ["home", "workspace:home"])
        #expect(policy.defaultDecision == .ask)
    }

    @Test func workspaceMayOnlyNameTheBaseEnvironments() throws {
        let (loaded, _) = load([
            "/home/dev/.airlock/policy.yaml": Self.policy("home"),
            "/home/dev/project/.airlock/policy.yaml": "version: 1\nrules:\n  - { id: x, decision: deny, reason: r, when: { environment: staging } }\n",
        ])
        let error = try #require(loaded.errors.first)
        #expect(loaded.errors.count == 1)
        #expect(error.line == 3)
        #expect(error.message == "rule 'x' names environment 'staging', but the user's policy does not declare it (declared: production; 'local' and 'unknown' are built in)")
    }

    @Test func workspaceAllowRulesAreRejected() throws {
        let text = "version: 1\nrules:\n  - id: ok\n    decision: ask\n    reason: r\n    when: {}\n  - id: sneaky\n    decision: allow\n    reason: r\n    when: { binary: rm }\n"
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": text])
        #expect(loaded.errors == [PolicyError(
            file: "/home/dev/project/.airlock/policy.yaml", line: 7, column: 5,
            message: "a workspace policy may only add rules that deny or ask; rule 'sneaky' decides allow")])
    }

    @Test(arguments: [
        ("mode: monitor", 2, "'mode'"), ("default: allow", 2, "'default'"),
        ("environments:\n  production: { labels: [x] }", 2, "'environments'"),
    ])
    func workspaceMayNotChangeAnythingButRules(_ line: String, _ lineNumber: Int, _ key: String) throws {
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": "version: 1\n\(line)\nrules: []\n"])
        #expect(loaded.errors.count == 1)
        let error = try #require(loaded.errors.first)
        #expect(error.file == "/home/dev/project/.airlock/policy.yaml")
        #expect(error.line == lineNumber)
        #expect(error.message == "a workspace policy may only add restrictions (rules that deny or ask, a breaker); \(key) can only be set in the user's policy ($AIRLOCK_HOME/policy.yaml or --policy)")
    }

    @Test func workspaceCollectsEveryProblem() throws {
        let text = "version: 1\nmode: monitor\nrules:\n  - { id: a, decision: allow, reason: r, when: {} }\n  - { id: b, decision: allow, reason: r, when: {} }\n"
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": text])
        #expect(loaded.errors.map(\.line) == [2, 4, 5])
    }

    @Test func workspaceWithOnlyAVersionAddsNothing() throws {
        let (loaded, _) = load(["/home/dev/project/.airlock/policy.yaml": "version: 1\n"])
        #expect(loaded.policy?.rules == DefaultPolicy.policy.rules)
        #expect(loaded.sources == ["built-in", "/home/dev/project/.airlock/policy.yaml"])
    }

    @Test func theUsersPolicyIsNotReadAgainAsAWorkspacePolicy() throws {
        // Working in ~ with AIRLOCK_HOME=~/.airlock: ~/.airlock/policy.yaml is the base, not
        // a workspace policy (which could not declare environments).
        let (loaded, reads) = load(["/home/dev/.airlock/policy.yaml": Self.policy("home")], cwd: "/home/dev")
        #expect(loaded.policy?.rules.map(\.id) == ["home"])
        #expect(loaded.sources == ["/home/dev/.airlock/policy.yaml"])
        #expect(reads == ["/home/dev/.airlock/policy.yaml"])
    }

    @Test func parseWorkspaceDirectly() throws {
        let merged = try PolicyLoader.parseWorkspace(Self.workspace, source: "ws.yaml", base: DefaultPolicy.policy)
        #expect(merged.rules.last?.id == "workspace:careful-with-fixtures")
        #expect(merged.source == "built-in + ws.yaml")
    }
}
