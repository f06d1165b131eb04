/// One problem with a policy file, located so a person can go and fix it:
/// `policy.yaml:12: unknown key 'efect_class' in rule 'x'; did you mean 'effect_class'?`
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or other source name) the problem is in.
    public var file: String
    /// 1-based line; nil only for problems with the file as a whole (it does not exist).
    public var line: Int?
    /// 1-based column, counted in Unicode scalars, when known.
    public var column: Int?
    /// What is wrong, in words a person can act on.
    public var message: String

    public init(file: String, line: Int?, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line: message`, or `file: message` when there is no line.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Every problem found in a policy (never empty when thrown). Loading collects all the problems
/// it can rather than stopping at the first, so one edit-and-retry fixes them all.
public struct PolicyErrors: Error, Sendable, Hashable, CustomStringConvertible, RandomAccessCollection {
    public var errors: [PolicyError]

    public init(_ errors: [PolicyError]) { self.errors = errors }

    public var startIndex: Int { errors.startIndex }
    public var endIndex: Int { errors.endIndex }
    public subscript(position: Int) -> PolicyError { errors[position] }

    /// One problem per line, in file order.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
