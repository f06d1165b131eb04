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

    public func parse(_ text: String) throws(ParseError) -> Script {
        // TODO(parser): replaced by the real parser.
        throw ParseError(.unexpectedToken, offset: 0, detail: "parser not implemented")
    }
}
