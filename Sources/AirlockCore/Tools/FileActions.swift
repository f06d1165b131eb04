/// An agent's file tool (Claude Code's `Read`, `Write`, `Edit`, `MultiEdit`; Cursor's
/// `beforeReadFile`) as one command: binary `read-file` or `write-file`, effect `read` or
/// `write`, and the path in `paths` resolved exactly as a shell argument would be (`~`
/// expanded, relative to the working directory). A write is classified like `tee PATH` (a write
/// to a block device is destructive), so path rules such as `airlock-home-is-read-only`,
/// `airlock-keys-are-secret` and `credential-stores` decide file tools and shell commands alike.
enum FileActions {
    static let readBinary = "read-file"
    static let writeBinary = "write-file"

    static func analyze(path: String, access: PathAccess.Mode, session: AnalysisSession, frame: Frame) {
        if let problem = problem(path, limits: session.limits) {
            session.problem(problem)
            return
        }
        let name = access == .write ? writeBinary : readBinary
        let invocation = Invocation(
            name: name, path: name, args: [Arg(path)], environment: EnvironmentView(overrides: [:], base: session.context.environment),
            stdin: .inherited, frame: frame, redirectPaths: [])
        let paths = session.pathAccess(Arg(path), mode: access, frame: frame).map { [$0] } ?? []
        let shown = paths.first?.path ?? path
        let reason = access == .write ? "the agent's file tool writes \(shown)" : "the agent's file tool reads \(shown)"
        Tools.emit(invocation.command(access == .write ? .write : .read, reason, paths: paths), invocation, session: session)
    }

    /// Why a path cannot be analysed (empty, binary, too long), or nil.
    static func problem(_ path: String, limits: AnalysisLimits) -> String? {
        if path.trimmingSpaces().isEmpty { return "a file action with an empty path" }
        if path.utf8.contains(0) { return "a file action whose path contains a NUL byte" }
        if path.utf8.count > limits.maxLength {
            return "a file action whose path is longer than \(limits.maxLength) bytes"
        }
        return nil
    }
}
