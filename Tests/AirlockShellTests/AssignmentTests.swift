import AirlockShell
import Testing

@Suite("Assignments")
struct AssignmentTests {
    @Test("assignments before the command name; the first other word ends them")
    func prefixAssignments() throws {
        let command = try simpleCommand(#"A=1 B="x y" C=$(date) cmd D=2 arg"#)
        #expect(
            command.assignments == [
                Assignment(name: "A", value: .literal("1")), Assignment(name: "B", value: Word([.doubleQuoted([.literal("x y")])])),
                Assignment(name: "C", value: Word([.commandSubstitution(try parse("date"))])),
            ])
        #expect(command.words.map(\.literalValue) == ["cmd", "D=2", "arg"])
        #expect(try commandLines("A=$(id) cmd") == [["cmd"], ["id"]])
    }

    @Test("env A=1 cmd: assignment-like words after the name are arguments")
    func assignmentsAfterName() throws {
        let command = try simpleCommand("env A=1 PATH=/x cmd")
        #expect(command.assignments.isEmpty)
        #expect(command.words.map(\.literalValue) == ["env", "A=1", "PATH=/x", "cmd"])
    }

    @Test("a line of only assignments is a simple command without words")
    func onlyAssignments() throws {
        let command = try simpleCommand("A=1 B=2")
        #expect(command.words.isEmpty)
        #expect(command.assignments.map(\.name) == ["A", "B"])
        #expect(try dump("x=1; y=2") == "[x=1] ; [y=2]")
    }

    @Test("+=, empty values, arrays, indexed names")
    func forms() throws {
        #expect(try simpleCommand("PATH+=:/opt/bin").assignments == [Assignment(name: "PATH", append: true, value: .literal(":/opt/bin"))])
        #expect(try simpleCommand("A= cmd").assignments == [Assignment(name: "A", value: Word([]))])
        #expect(try simpleCommand("A=").assignments[0].value?.literalValue == "")
        #expect(
            try simpleCommand("arr=(a 'b c' $(d))").assignments == [
                Assignment(
                    name: "arr", value: nil,
                    array: [.literal("a"), Word([.singleQuoted("b c")]), Word([.commandSubstitution(try parse("d"))])])
            ])
        #expect(try simpleCommand("arr+=(x)").assignments == [Assignment(name: "arr", append: true, value: nil, array: [.literal("x")])])
        #expect(try simpleCommand("arr=()").assignments == [Assignment(name: "arr", value: nil, array: [])])
        #expect(try simpleCommand("arr=(\n a # comment\n b\n)").assignments[0].array == [.literal("a"), .literal("b")])
        #expect(try simpleCommand("a[1]=x a[k]+=y").assignments.map(\.name) == ["a[1]", "a[k]"])
        #expect(try commandLines("arr=($(ls) `id`)") == [[], ["ls"], ["id"]])
    }

    @Test("values are not globbed or brace-expanded; tilde after = and : is")
    func valueExpansion() throws {
        #expect(try simpleCommand("A=*.txt").assignments[0].value == .literal("*.txt"))
        #expect(try simpleCommand("A={a,b}").assignments[0].value == .literal("{a,b}"))
        #expect(try simpleCommand("A=~/bin:~root/x:b~").assignments[0].value == Word([.glob("~"), .literal("/bin:"), .glob("~root"), .literal("/x:b~")]))
        #expect(try simpleCommand("A=$HOME/x").assignments[0].value == Word([.parameter(name: "HOME", expression: nil), .literal("/x")]))
    }

    @Test("not assignments: invalid names, quoted or escaped =, subscripts with expansions")
    func notAssignments() throws {
        for text in ["1A=x", "A-B=x", "=x", "'A'=x", "A\\=x", "\"A=x\"", "a[$(i)]=x", ".A=x"] {
            let command = try simpleCommand(text)
            #expect(command.assignments.isEmpty, "\(text.debugDescription)")
            #expect(command.words.count == 1, "\(text.debugDescription)")
        }
        // The substitution in a subscript is never hidden.
        #expect(try commandLines("a[$(i)]=x") == [["a[$(…)]=x"], ["i"]])
        #expect(parseError("A[")?.kind == .unexpectedToken)
    }

    @Test("declare, local, export, readonly, typeset take NAME=(…) arrays as arguments")
    func declarationArrays() throws {
        let command = try simpleCommand("local -a files=(*.txt \"$(ls)\") n=1")
        #expect(command.words.map(\.displayText) == ["local", "-a", "files=(*.txt $(…))", "n=1"])
        #expect(command.words[2].substitutions == [try parse("ls")])
        #expect(try simpleCommand("export A=(x y)").words[1].literalValue == "A=(x y)")
        #expect(try simpleCommand("X=1 declare -A m=([k]=v)").words.map(\.displayText) == ["declare", "-A", "m=([k]=v)"])
        #expect(parseError("echo a=(b)")?.kind == .unexpectedToken)
    }

    @Test("an assignment before a reserved word makes it an ordinary word")
    func assignmentThenReservedWord() {
        #expect(parseError("x=1 if true; then :; fi")?.kind == .unexpectedToken)
    }
}
