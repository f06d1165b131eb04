@testable import AirlockPolicyFile
import Testing

/// Malformed input must end in errors, never a crash or a hang.
@Suite("Malformed input")
struct RobustnessTests {
    @Test func binaryJunk() throws {
        var generator = SplitMix64(seed: 42)
        let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let text = String(decoding: bytes, as: UTF8.self)
        let errors = policyErrors(text)
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.line != nil && $0.file == "policy.yaml" })
    }

    @Test func controlCharactersAreNamed() throws {
        let error = try #require(singleError("version: 1\nmode: enf\u{01}orce\n"))
        #expect(error.line == 2)
        #expect(error.message.contains("control characters are not allowed"))
        #expect(error.message.contains("binary file"))
    }

    @Test func nulBytes() throws {
        let error = try #require(singleError("version: 1\n\0\0\0"))
        #expect(error.line == 2)
    }

    @Test func tabsEverywhere() throws {
        #expect(!policyErrors("\t\t\t\n\tversion:\t1\n\t- \t\n").isEmpty)
        let error = try #require(singleError("version: 1\nrules:\n\t- id: x\n"))
        #expect(error.line == 3)
    }

    @Test func oneMegabyteOfGarbage() throws {
        let line = "  - {{[[ 'unbalanced: \"x: y: z\n"
        let text = String(repeating: line, count: 1_000_000 / line.utf8.count)
        #expect(text.utf8.count <= PolicyLoader.maxFileSize)
        let errors = policyErrors(text)
        #expect(errors.count >= 1)
    }

    @Test func oneMegabyteOfValidYAMLThatIsNotAPolicy() throws {
        var text = "version: 1\nrules:\n"
        while text.utf8.count < 1_000_000 { text += "  - \(text.utf8.count)\n" }
        let errors = policyErrors(text)
        // Every rule is wrong; the errors are capped rather than a million long.
        #expect(errors.count == PolicyDecoder.maxErrors + 1)
    }

    @Test func overSizedFileIsRefusedBeforeParsing() throws {
        let text = "version: 1\n" + String(repeating: "# padding padding padding padding\n", count: 40_000)
        #expect(text.utf8.count > PolicyLoader.maxFileSize)
        let error = try #require(singleError(text))
        #expect(error.line == nil)
        #expect(error.message == "the policy file is \(text.utf8.count) bytes; the limit is 1048576 bytes (1 MiB)")
    }

    @Test(arguments: [100, 900, 5_000, 100_000])
    func deeplyNestedFlowCollections(_ depth: Int) throws {
        let text = "version: 1\nrules: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        #expect(!policyErrors(text).isEmpty)
        let mappings = "version: 1\nrules: " + String(repeating: "{a: ", count: depth) + "b" + String(repeating: "}", count: depth) + "\n"
        #expect(!policyErrors(mappings).isEmpty)
    }

    @Test(arguments: [500, 5_000])
    func deeplyNestedBlockCollections(_ depth: Int) throws {
        var text = "version: 1\nextra:\n"
        for level in 1...depth { text += String(repeating: " ", count: level) + "k:\n" }
        #expect(!policyErrors(text).isEmpty)
    }

    @Test func aliasBombIsRefusedWithoutExpanding() throws {
        var text = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...30 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        text += "? *a30\n: boom\n"
        let error = try #require(singleError(text))
        #expect(error.line == 2)
        #expect(error.message.contains("anchor"))
    }

    @Test func unbalancedEverything() {
        for text in ["{", "[", "\"", "'", "? ", ": ", "- - - -", "version: 1\n  rules: x\n bad", "!!binary junk", "%YAML 9.9\n---\n", "*", "&", "@x", "`x"] {
            #expect(!policyErrors(text).isEmpty, "\(text)")
        }
    }

    /// Random mutations of a valid policy: every one either parses or gives located errors.
    @Test func mutatedPoliciesNeverCrash() {
        var generator = SplitMix64(seed: 7)
        let base = Array(DefaultPolicyFile.yaml.utf8)
        let alphabet = Array("\t\n :-[]{}\"'#&*!|>%@`,?~0aZ\u{0}".utf8)
        for _ in 0..<300 {
            var bytes = base
            for _ in 0..<(1 + Int(generator.next() % 8)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            for error in policyErrors(text) {
                #expect(!error.message.isEmpty)
                #expect(error.line.map { $0 >= 1 } ?? true)
            }
        }
    }
}
