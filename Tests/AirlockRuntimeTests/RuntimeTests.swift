@testable import AirlockCore
import AirlockPolicyFile
import AirlockRuntime
import Testing

@Suite("Compiled policies")
struct PolicyCodecTests {
    @Test("the built-in and the commented default policies survive encoding exactly")
    func roundTrip() throws {
        #expect(PolicyCodec.decode(PolicyCodec.encode(DefaultPolicy.policy)) == DefaultPolicy.policy)
        let parsed = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "/x/policy.yaml")
        #expect(PolicyCodec.decode(PolicyCodec.encode(parsed)) == parsed)
        var odd = DefaultPolicy.policy
        odd.mode = .monitor
        odd.defaultDecision = .deny
        odd.rules[0].reason = "quotes \" backslash \\ newline \n tab \t unicode é ✓ control \u{1}"
        odd.rules[0].unless = Condition(paths: ["~/x"], pathAccess: .read, interactive: false)
        odd.rules[0].approval = ApprovalRequirement(approvers: 2, expires: 90, via: "host")
        #expect(PolicyCodec.decode(PolicyCodec.encode(odd)) == odd)
    }

    @Test("damaged entries decode to nothing rather than to a different policy")
    func damaged() {
        let text = PolicyCodec.encode(DefaultPolicy.policy)
        #expect(PolicyCodec.decode("") == nil)
        #expect(PolicyCodec.decode("{}") == nil)
        #expect(PolicyCodec.decode(String(text.dropLast())) == nil)
        let format = "\"format\":\(PolicyCodec.formatVersion)"
        #expect(PolicyCodec.decode(text.replacingAll(format, with: "\"format\":\(PolicyCodec.formatVersion + 1)")) == nil)
        #expect(PolicyCodec.decode(text.replacingAll("\"decision\":\"deny\"", with: "\"decision\":\"maybe\"")) == nil)
        #expect(PolicyCodec.decode(text.replacingAll("\"effect_class\":", with: "\"efect_class\":")) == nil)
        // Truncations at every length never crash.
        var state: UInt64 = 7
        for _ in 0..<300 {
            state = state &* 6364136223846793005 &+ 1
            let cut = Int(state % UInt64(text.utf8.count))
            _ = PolicyCodec.decode(String(text.prefix(cut)))
        }
    }
}

@Suite("Policy sources and the front door")
struct FrontDoorTests {
    let context = Context(user: "u", workingDirectory: "/w/p", homeDirectory: "/home/u", environment: [:])

    @Test("sources follow --policy, $AIRLOCK_POLICY, $AIRLOCK_HOME, then the workspace, like the loader")
    func order() {
        let files: [String: String] = [
            "/home/u/.airlock/policy.yaml": "home", "/etc/airlock.yaml": "env", "/w/p/custom.yaml": "explicit",
            "/w/p/.airlock/policy.yaml": "workspace",
        ]
        let source = InMemoryFiles(files)
        func paths(_ explicit: String?, _ environment: [String: String]) -> [String] {
            PolicySources.find(explicit: explicit, processEnvironment: environment, context: context, files: source).files.map(\.path)
        }
        #expect(paths("custom.yaml", ["AIRLOCK_POLICY": "/etc/airlock.yaml"]) == ["/w/p/custom.yaml", "/w/p/.airlock/policy.yaml"])
        #expect(paths(nil, ["AIRLOCK_POLICY": "/etc/airlock.yaml"]) == ["/etc/airlock.yaml", "/w/p/.airlock/policy.yaml"])
        #expect(paths(nil, [:]) == ["/home/u/.airlock/policy.yaml", "/w/p/.airlock/policy.yaml"])
        // The loader agrees on which files make the policy.
        for (explicit, environment) in [("custom.yaml", [:]), (nil, ["AIRLOCK_POLICY": "/etc/airlock.yaml"]), (nil, [:])] as [(String?, [String: String])] {
            let loaded = PolicyLoader.load(explicit: explicit, environment: environment, airlockHome: context.airlockHome, workingDirectory: context.workingDirectory) { _ in "version: 1\nrules: []\n" }
            let found = PolicySources.find(explicit: explicit, processEnvironment: environment, context: context, files: InMemoryFiles(files))
            #expect(loaded.sources == found.files.map(\.path), "\(String(describing: explicit)) \(environment)")
        }
        let missing = PolicySources.find(explicit: "/nope.yaml", processEnvironment: [:], context: context, files: source)
        #expect(missing.unreadable == ["/nope.yaml"])
    }

    @Test("the cache key changes with any byte of any source")
    func cacheKey() {
        let a = PolicySources(files: [.init(path: "/p", text: "x: 1")], unreadable: [])
        let b = PolicySources(files: [.init(path: "/p", text: "x: 2")], unreadable: [])
        let c = PolicySources(files: [.init(path: "/q", text: "x: 1")], unreadable: [])
        #expect(a.cacheKey != b.cacheKey)
        #expect(a.cacheKey != c.cacheKey)
        #expect(a.cacheKey == a.cacheKey)
        #expect(a.cacheKey.count == 16)
    }

    @Test("the front door takes only well-formed check and explain requests")
    func parse() {
        #expect(FrontDoor.parse(["check", "--", "ls"])?.words == ["ls"])
        #expect(FrontDoor.parse(["explain", "--format", "json", "--env", "A=1", "--env=B=2", "--clean-env", "--cwd=/x", "--agent", "c", "--policy", "p", "--", "a", "b"])
            == CheckRequest(policy: "p", agent: "c", cwd: "/x", environmentOverrides: ["A=1", "B=2"], cleanEnvironment: true, format: .json, words: ["a", "b"]))
        for delegated in [["check"], ["check", "--"], ["check", "ls"], ["check", "--help", "--", "ls"], ["check", "--format", "yaml", "--", "ls"],
                          ["check", "--env", "NOEQUALS", "--", "ls"], ["check", "--policy"], ["init"], ["policy", "lint"], [], ["check", "--bogus", "--", "ls"]] {
            #expect(FrontDoor.parse(delegated) == nil, "\(delegated)")
        }
    }
}
