import AirlockCore
import Testing

/// Bad input never crashes and never allows: each ends in deny or ask with a reason.
@Suite("Malformed input")
struct MalformedInputTests {
    @Test("unparseable lines are denied with the cause", arguments: [
        "echo 'unterminated", "echo \"unterminated", "echo `unterminated", "echo $(unterminated", "echo ${unterminated",
        "cat <<EOF\nno end", "| ls", "ls ||", ";; ls", "if true; then echo", "ls )", "echo \u{0}nul",
    ])
    func unparseable(_ line: String) {
        let decision = World.decide(line)
        #expect(decision.verdict == .deny)
        #expect(decision.rule.id == "airlock-unanalysable")
        #expect(!decision.reason.isEmpty)
    }

    @Test("a 1 MB line is refused, not allowed")
    func huge() {
        let line = "echo " + String(repeating: "a", count: 1 << 20)
        let decision = World.decide(line)
        #expect(decision.verdict == .deny)
        #expect(decision.reason.contains("longer"))
    }

    @Test("10,000 levels of nesting end in a decision", arguments: ["$(", "(", "{ ", "`", "bash -c '"])
    func deep(_ opener: String) {
        // Unbalanced openers are parse errors or exceed the bound (deny); balanced pairs such as
        // 5,000 empty backtick substitutions leave what a shell would run. Never an allow.
        let line = String(repeating: opener, count: 10_000) + "rm -rf /"
        let decision = World.decide(line)
        #expect(decision.verdict != .allow)
        #expect(!decision.reason.isEmpty)
    }

    @Test("binary bytes and control characters are refused")
    func binary() {
        let junk = String(decoding: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }, as: UTF8.self)
        let decision = World.decide(junk)
        #expect(decision.verdict != .allow)
        let exec = Checker(policy: DefaultPolicy.policy).check(.exec(["rm", "-rf", "/\u{0}"]), context: World.context()).decision
        #expect(exec.verdict == .deny)
        let empty = Checker(policy: DefaultPolicy.policy).check(.exec([]), context: World.context()).decision
        #expect(empty.verdict == .deny)
    }

    @Test("random input never crashes and never allows a known destruction")
    func fuzz() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        let pieces = ["rm", " -rf", " /", "'", "\"", "$(", ")", "`", "|", "&&", ";", "<<EOF\n", "\nEOF", "\\", "sudo ", "bash -c ", "{", "}", "${", "~", "*", "\n", "#", "eval ", "ssh h "]
        for _ in 0..<3000 {
            var line = ""
            for _ in 0..<(next() % 12) { line += pieces[Int(next() % UInt64(pieces.count))] }
            let decision = World.decide(line)
            if line.contains("rm -rf /") && decision.verdict == .allow {
                // Allowed lines must not contain a literal destructive rm that would run.
                let analysis = World.analyse(line)
                #expect(!analysis.commands.contains { $0.binary == "rm" && $0.effect == .destructive }, "\(line)")
            }
        }
    }
}
