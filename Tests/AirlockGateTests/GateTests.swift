import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockState
import Foundation
import Testing

/// The gate in one process, on a real store and log, with a clock the test moves.
struct GateFixture {
    let home: String
    let store: SQLiteStore
    let audit: AuditStore
    let clock = TestClock()
    let policy: Policy

    init(policy: Policy = GateFixture.policy) throws {
        home = try scratchDirectory()
        store = SQLiteStore(airlockHome: home)
        audit = AuditStore(directory: home + "/audit")
        self.policy = policy
    }

    static let policy = Policy(
        environments: [EnvironmentDefinition(name: "production", hosts: ["*.prod"])],
        rules: [
            Rule(id: "prod-writes", decision: .ask, reason: "production writes need a person", when: Condition(environments: ["production"], effects: [.write]),
                 approval: ApprovalRequirement(approvers: 1, expires: 60)),
            Rule(id: "no-rm-rf", decision: .deny, reason: "no recursive deletes", when: Condition(binaries: ["rm"], effects: [.destructive])),
            Rule(id: "curl", decision: .allow, reason: "reads in moderation", when: Condition(binaries: ["curl"]), limit: RateLimit(count: 2, per: 60, scope: .agent, then: .deny)),
        ],
        breaker: Breaker(denials: 2, within: 60, duration: 30))

    func gate(recording: Bool = true) -> Gate {
        let clock = self.clock
        return Gate(checker: Checker(policy: policy), store: store, audit: recording ? audit : nil, clock: { clock.now })
    }

    func context(agent: String = "claude", cwd: String = "/srv/app") -> Context {
        Context(agent: agent, user: "ada", workingDirectory: cwd, homeDirectory: "/home/ada", airlockHome: home)
    }

    func decide(_ line: String, agent: String = "claude", cwd: String = "/srv/app", recording: Bool = true) -> Decision {
        gate(recording: recording).decide(.shell(line), context: context(agent: agent, cwd: cwd), door: .check)
    }

    func approve(_ id: String, by user: String = "bob") throws {
        try store.write { (writer) throws in
            var request = try #require(try writer.request(id: id))
            let vote = Vote(person: Person(user: user), answer: .approve, at: clock.now)
            try writer.add(vote, to: id)
            request.votes.append(vote)
            if request.approvers.count >= request.approversNeeded {
                request.validUntil = clock.now + request.validFor
                request.usesLeft = 1
                try writer.update(request)
            }
        }
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    var now: Millis = 1_800_000_000_000
    func advance(seconds: Int) { now += Millis(seconds) * 1000 }
}

@Suite("Gate pipeline in process")
struct GateTests {
    static let update = "psql -h db.prod -c 'UPDATE t SET a = 1 WHERE id = 2'"

    @Test("ask opens one request per exact action; an approval allows it once")
    func approvals() throws {
        let fixture = try GateFixture()
        let asked = fixture.decide(Self.update)
        #expect(asked.verdict == .ask)
        let note = try #require(asked.approval)
        #expect(note.state == .requested)
        #expect(fixture.decide(Self.update).approval?.id == note.id)
        #expect(fixture.decide(Self.update).approval?.state == .waiting)

        try fixture.approve(note.id)
        let allowed = fixture.decide(Self.update)
        #expect(allowed.verdict == .allow)
        #expect(allowed.approval?.state == .used)
        #expect(allowed.auditIndex != nil)
        #expect(fixture.decide(Self.update).verdict == .ask)
    }

    @Test("a preview reads the state and changes nothing")
    func preview() throws {
        let fixture = try GateFixture()
        let preview = fixture.decide(Self.update, recording: false)
        #expect(preview.approval?.state == .wouldRequest)
        #expect(try fixture.store.read { try $0.openRequests(at: fixture.clock.now) }.isEmpty)
        let id = try #require(fixture.decide(Self.update).approval?.id)
        try fixture.approve(id)
        #expect(fixture.decide(Self.update, recording: false).approval?.state == .wouldUse)
        #expect(fixture.decide(Self.update).verdict == .allow, "the preview did not spend the approval")
        #expect(fixture.audit.acknowledgedEntries() == 2, "previews are not recorded")
    }

    @Test("requests expire; approvals not used in time expire")
    func expiry() throws {
        let fixture = try GateFixture()
        let first = try #require(fixture.decide(Self.update).approval?.id)
        fixture.clock.advance(seconds: 61)
        let second = try #require(fixture.decide(Self.update).approval)
        #expect(second.id != first && second.state == .requested)
        try fixture.approve(second.id)
        fixture.clock.advance(seconds: 61)
        #expect(fixture.decide(Self.update).verdict == .ask)
    }

    @Test("the digest binds text, directory, agent and policy")
    func digest() throws {
        let fixture = try GateFixture()
        let base = fixture.decide(Self.update, recording: false)
        let digest = { (decision: Decision, context: Context, policy: String) in ActionDigest.of(decision, context: context, policyDigest: policy) }
        let reference = digest(base, fixture.context(), "p1")
        #expect(reference == digest(base, fixture.context(), "p1"))
        #expect(reference != digest(fixture.decide(Self.update + " ", recording: false), fixture.context(), "p1"))
        #expect(reference != digest(base, fixture.context(cwd: "/srv/other"), "p1"))
        #expect(reference != digest(base, fixture.context(agent: "cursor"), "p1"))
        #expect(reference != digest(base, fixture.context(), "p2"))
    }

    @Test("freezes: writes stop writes even when approved, all stops reads, scopes by agent and environment")
    func freezes() throws {
        let fixture = try GateFixture()
        let id = try #require(fixture.decide(Self.update).approval?.id)
        try fixture.approve(id)
        try fixture.store.write { (writer) throws in
            _ = try writer.insert(Freeze(id: "FZ-0001", scope: .all, level: .writes, reason: "release", source: .person, createdBy: "ada", createdAt: fixture.clock.now))
        }
        let frozen = fixture.decide(Self.update)
        #expect(frozen.verdict == .deny && frozen.rule.kind == .freeze)
        #expect(fixture.decide("ls -la").verdict == .allow)
        try fixture.store.write { (writer) throws in try writer.lift(freezeID: "FZ-0001", by: "ada", at: fixture.clock.now) }
        #expect(fixture.decide(Self.update).verdict == .allow, "the frozen attempt did not spend the approval")

        try fixture.store.write { (writer) throws in
            _ = try writer.insert(Freeze(id: "FZ-0002", scope: .agent("cur*"), level: .all, reason: "r", source: .person, createdBy: "ada", createdAt: fixture.clock.now))
            _ = try writer.insert(Freeze(id: "FZ-0003", scope: .environment("production"), level: .writes, reason: "r", source: .person, createdBy: "ada", createdAt: fixture.clock.now, until: fixture.clock.now + 5000))
        }
        #expect(fixture.decide("ls", agent: "cursor").verdict == .deny)
        #expect(fixture.decide("airlock status", agent: "cursor").verdict == .allow)
        #expect(fixture.decide("ls", agent: "claude").verdict == .allow)
        #expect(fixture.decide("touch x", agent: "claude").verdict == .allow)
        #expect(fixture.decide(Self.update, agent: "claude").rule.id == "FZ-0003")
        fixture.clock.advance(seconds: 6)
        #expect(fixture.decide(Self.update, agent: "claude").rule.kind != .freeze, "a freeze ends at its until")
    }

    @Test("monitor mode never blocks on policy, but a freeze still holds")
    func monitorMode() throws {
        var policy = GateFixture.policy
        policy.mode = .monitor
        let fixture = try GateFixture(policy: policy)
        let decision = fixture.decide(Self.update)
        #expect(decision.verdict == .allow && decision.policyVerdict == .ask && decision.approval == nil)
        try fixture.store.write { (writer) throws in
            _ = try writer.insert(Freeze(id: "FZ-0001", scope: .all, level: .writes, reason: "stop", source: .person, createdBy: "ada", createdAt: fixture.clock.now))
        }
        #expect(fixture.decide(Self.update).verdict == .deny)
    }

    @Test("limits count per agent within the window; the breaker trips on the Nth denial and lifts with time")
    func limitsAndBreaker() throws {
        let fixture = try GateFixture()
        #expect(fixture.decide("curl https://a.example").verdict == .allow)
        #expect(fixture.decide("curl https://b.example").verdict == .allow)
        let over = fixture.decide("curl https://c.example")
        #expect(over.verdict == .deny && over.rule.kind == .rateLimit)
        #expect(fixture.decide("curl https://c.example", agent: "cursor").verdict == .allow)
        fixture.clock.advance(seconds: 61)
        #expect(fixture.decide("curl https://c.example").verdict == .allow, "the window slides")
        let kept = try fixture.store.read { try $0.count(.limit, key: "curl|agent:claude", since: 0) }
        #expect(kept == 1, "events older than the window are pruned as new ones are recorded")

        #expect(fixture.decide("rm -rf /srv/data").breakerFreeze == nil)
        let tripped = fixture.decide("rm -rf /srv/data")
        let freezeID = try #require(tripped.breakerFreeze)
        #expect(fixture.decide("touch x").rule.id == freezeID)
        #expect(fixture.decide("touch x", agent: "cursor").verdict == .allow)
        fixture.clock.advance(seconds: 31)
        #expect(fixture.decide("touch x").verdict == .allow)
    }

    @Test("a state store that cannot be opened denies, and the deny is recorded")
    func stateFailure() throws {
        let home = try scratchDirectory()
        let blocker = home + "/not-a-directory"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let gate = Gate(checker: Checker(policy: GateFixture.policy), store: SQLiteStore(path: blocker + "/state.sqlite"), audit: AuditStore(directory: home + "/audit"))
        let decision = gate.decide(.shell("ls"), context: Context(user: "ada", workingDirectory: "/", homeDirectory: "/home/ada", airlockHome: home), door: .check)
        #expect(decision.verdict == .deny)
        #expect(decision.rule.kind == .stateError)
        #expect(decision.reason.contains("state.sqlite"))
        #expect(decision.auditIndex == 0)
    }
}

@Suite("Policy digests without encoding the policy")
struct PolicyDigestTests {
    @Test("the written-out digest of the built-in policy is its digest")
    func builtIn() {
        #expect(
            DecisionAudit.builtInPolicyDigest == DecisionAudit.digest(DefaultPolicy.policy),
            "the built-in policy or the codec changed: set DecisionAudit.builtInPolicyDigest to \(DecisionAudit.digest(DefaultPolicy.policy))")
    }

    @Test("a compiled policy's text hashes to the policy's digest")
    func compiled() {
        let policy = GateFixture.policy
        let text = PolicyCodec.encode(policy)
        let decoded = PolicyCodec.decode(text)
        #expect(decoded.map(PolicyCodec.encode) == text, "the codec round-trips exactly")
        #expect("sha256:" + Hex.encode(SHA256.hash(Array(text.utf8))) == DecisionAudit.digest(policy))
    }
}
