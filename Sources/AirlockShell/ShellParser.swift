/// Parses a command line into a `Script`. Pure and total: every input ends in a script or a
/// `ParseError`, never a crash, however long, deep or binary it is.
public struct ShellParser: Sendable {
    /// Bounds past which the parser refuses rather than guesses.
    public struct Limits: Sendable, Hashable {
        /// Longest command line analysed, in UTF-8 bytes.
        public var maxLength: Int
        /// Deepest nesting of substitutions, subshells, groups and compound commands.
        public var maxDepth: Int

        public init(maxLength: Int = 256 * 1024, maxDepth: Int = 64) {
            self.maxLength = maxLength
            self.maxDepth = maxDepth
        }

        public static let standard = Limits()
    }

    public var limits: Limits

    public init(limits: Limits = .standard) { self.limits = limits }

    /// Nesting is also capped here whatever `limits.maxDepth` says; the parser additionally
    /// stops at a fixed stack budget (see `Parser.enter`), so no limit can let deep input
    /// exhaust the stack of a thread with a small (512 KiB) stack.
    static let hardMaxDepth = 1_000

    public func parse(_ text: String) throws(ParseError) -> Script {
        // O(1) for native strings, before anything is copied.
        let length = text.utf8.count
        if length > limits.maxLength {
            throw ParseError(.inputTooLong, offset: limits.maxLength, detail: "\(length) bytes, limit \(limits.maxLength)")
        }
        let bytes = Array(text.utf8)
        for (offset, byte) in bytes.enumerated() where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            throw ParseError(.invalidCharacters, offset: offset, detail: "byte 0x\(String(byte, radix: 16))")
        }
        let maxDepth = max(0, min(limits.maxDepth, Self.hardMaxDepth))
        return try Parser.parseScript(
            bytes: bytes, start: 0, end: bytes.count, depth: 0, maxDepth: maxDepth, errorBase: 0, stackBase: Parser.stackAddress())
    }
}
