/// git: reads, local history rewrites and discards (`reset --hard`, `clean -f`, `branch -D`),
/// and pushes, whose target is the remote and whose force pushes destroy remote history.
enum GitTool {
    static let handlers: [String: Tools.Handler] = ["git": git]

    static let globalValued: [String] = ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"]

    static let reads: Set<String> = [
        "status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "ls-remote", "rev-parse", "rev-list",
        "describe", "shortlog", "reflog", "cat-file", "whatchanged", "help", "version", "fetch", "remote", "config",
        "branch", "tag", "stash", "cherry", "name-rev", "for-each-ref", "show-ref", "verify-commit", "count-objects",
        "fsck", "check-ignore", "var", "bisect", "worktree", "submodule", "archive", "format-patch", "range-diff",
    ]

    static let git: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: globalValued, stopAtFirstOperand: true)
        var frame = invocation.frame
        if let dir = scan.value("-C"), let cwd = frame.cwd { frame.cwd = Paths.resolve(dir, cwd: cwd, home: session.context.homeDirectory) }
        guard let verbOperand = scan.operands.first else {
            Tools.emit(invocation.command(.read, "git with no subcommand"), invocation, session: session)
            return
        }
        let verb = verbOperand.arg.text
        let rest = Array(invocation.args[(verbOperand.index + 1)...])
        let sub = OptionScan(rest, valued: ["-m", "--message", "-F", "--file", "-C", "-c", "--author", "--date", "-b", "-B", "--source", "--pathspec-from-file", "-o", "--push-option", "--repo", "--exec", "--receive-pack", "--cleanup", "-S", "--gpg-sign", "--depth", "--upstream", "-u", "--set-upstream-to", "-t", "--track", "--reference", "--origin", "--branch", "--template", "--separate-git-dir", "--shallow-since"])
        let words = sub.operandTexts
        func emit(_ effect: EffectClass, _ reason: String, targets: [Target] = [], branches: [String] = []) {
            Tools.emit(invocation.command(effect, reason, subcommand: verb, targets: targets, branches: branches), invocation, session: session)
        }
        switch verb {
        case "push":
            push(invocation, sub: sub, frame: frame, session: session)
        case "reset":
            if sub.has("--hard", "--merge", "--keep") { emit(.destructive, "git reset --hard discards uncommitted work") } else { emit(.write, "git reset moves the branch") }
        case "clean":
            let force = sub.options.contains { $0.name == "-f" || $0.name == "--force" }
            let dryRun = sub.has("-n", "--dry-run")
            if force && !dryRun { emit(.destructive, "git clean -f deletes untracked files") } else { emit(.read, "git clean without -f only lists") }
        case "branch":
            let forceDelete = sub.has("-D") || (sub.has("-d", "--delete") && sub.has("-f", "--force"))
            if forceDelete { emit(.destructive, "git branch -D deletes unmerged branches") }
            else if sub.has("-d", "--delete", "-m", "-M", "--move", "-c", "-C", "--copy", "-u", "--set-upstream-to", "--unset-upstream", "--edit-description") || !words.isEmpty { emit(.write, "git branch changes branches") }
            else { emit(.read, "git branch lists branches") }
        case "stash":
            let action = words.first ?? "push"
            switch action {
            case "clear", "drop": emit(.destructive, "git stash \(action) deletes stashed work")
            case "list", "show": emit(.read, "git stash \(action) reads")
            default: emit(.write, "git stash \(action) changes the stash")
            }
        case "checkout":
            if let dash = rest.firstIndex(where: { $0.text == "--" }), rest[(dash + 1)...].contains(where: { discardsEverything($0.text) }) {
                emit(.destructive, "git checkout -- . discards every uncommitted change")
            } else if words.contains(where: discardsEverything) || sub.has("-f", "--force") {
                emit(.destructive, "git checkout discards uncommitted changes")
            } else {
                emit(.write, "git checkout switches branches or restores files")
            }
        case "restore":
            let staged = sub.has("--staged", "-S") && !sub.has("--worktree", "-W")
            if !staged && words.contains(where: discardsEverything) { emit(.destructive, "git restore . discards every uncommitted change") }
            else { emit(.write, "git restore restores files") }
        case "switch":
            if sub.has("--discard-changes", "-f", "--force") { emit(.destructive, "git switch --discard-changes discards uncommitted work") } else { emit(.write, "git switch changes branches") }
        case "filter-branch", "filter-repo":
            emit(.destructive, "git \(verb) rewrites the whole history")
        case "reflog":
            if words.first == "expire" || words.first == "delete" { emit(.destructive, "git reflog \(words.first ?? "") removes recovery points") } else { emit(.read, "git reflog reads") }
        case "gc", "prune":
            if rest.contains(where: { $0.text.hasPrefix("--prune=now") || $0.text == "--prune=all" }) || verb == "prune" { emit(.destructive, "git \(verb) removes unreachable commits for good") } else { emit(.write, "git gc compacts the repository") }
        case "update-ref":
            if sub.has("-d") { emit(.destructive, "git update-ref -d deletes a ref") } else { emit(.write, "git update-ref moves a ref") }
        case "tag":
            if sub.has("-d", "--delete") { emit(.write, "git tag -d deletes a local tag") } else if words.isEmpty || sub.has("-l", "--list") { emit(.read, "git tag lists tags") } else { emit(.write, "git tag creates a tag") }
        case "remote":
            if ["remove", "rm", "set-url", "add", "rename", "prune"].contains(words.first ?? "") { emit(.write, "git remote \(words.first ?? "") changes remotes") } else { emit(.read, "git remote lists remotes") }
        case "config":
            if sub.has("--get", "--get-all", "--list", "-l", "--get-regexp") || words.count <= 1 { emit(.read, "git config reads settings") } else { emit(.write, "git config changes settings") }
        case "worktree":
            if words.first == "remove" && sub.has("-f", "--force") { emit(.destructive, "git worktree remove --force discards a worktree's changes") } else if words.first == "list" { emit(.read, "git worktree list") } else { emit(.write, "git worktree \(words.first ?? "")") }
        case "submodule":
            if words.first == "deinit" && sub.has("-f", "--force") { emit(.destructive, "git submodule deinit --force discards submodule changes") } else if words.first == "status" || words.isEmpty { emit(.read, "git submodule status") } else { emit(.write, "git submodule \(words.first ?? "")") }
        default:
            if reads.contains(verb) { emit(.read, "git \(verb) reads") } else { emit(.write, "git \(verb) changes the local repository") }
        }
    }

    static func discardsEverything(_ path: String) -> Bool {
        [".", "./", ":/", "*", ":(top)", "-A"].contains(path) || path == "." + "/"
    }

    /// `git push [opts] [remote] [refspec…]`: force (`-f`, `--force`, `--force-with-lease`,
    /// `--force-if-includes`, `+ref`), deletion (`--delete`, `:ref`) and mirror pushes destroy
    /// remote history; the target is the remote and the branches it changes.
    static func push(_ invocation: Invocation, sub: OptionScan, frame: Frame, session: AnalysisSession) {
        let forceFlags = ["-f", "--force", "--force-with-lease", "--force-if-includes"]
        var force = sub.options.contains { forceFlags.contains($0.name) }
        let deleting = sub.has("-d", "--delete") || sub.has("--prune")
        let mirror = sub.has("--mirror")
        let words = sub.operandTexts
        // Without a remote, git pushes to the branch's upstream, usually origin.
        let remote = words.first ?? "origin"
        var branches: [String] = []
        var deletesRef = deleting
        for refspec in words.dropFirst() {
            var spec = refspec
            if spec.hasPrefix("+") { force = true; spec.removeFirst() }
            if spec.hasPrefix(":") { deletesRef = true }
            let destination = spec.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? spec
            var branch = destination.hasPrefix("refs/heads/") ? String(destination.dropFirst(11)) : destination
            if branch == "HEAD" || branch.isEmpty { branch = currentBranch(frame: frame, session: session) ?? branch }
            if !branch.isEmpty { branches.append(branch) }
        }
        if branches.isEmpty, sub.has("--all") || mirror {
            branches.append("*")
        } else if branches.isEmpty, let current = currentBranch(frame: frame, session: session) {
            branches.append(current)
        }
        var targets = [Target(.gitRemote, remote, source: "git push remote")]
        if let url = remoteURL(remote, frame: frame, session: session), let host = URLParts(url)?.host {
            targets.append(Target(.host, host, source: "git remote \(remote) URL"))
        }
        let shown = branches.isEmpty ? "the current branch" : branches.joined(separator: ", ")
        let command: AnalyzedCommand
        if force || mirror {
            command = invocation.command(.destructive, "a force push rewrites the history of \(shown) on \(remote)", subcommand: "push", targets: targets, branches: branches)
        } else if deletesRef {
            command = invocation.command(.destructive, "the push deletes \(shown) on \(remote)", subcommand: "push", targets: targets, branches: branches)
        } else {
            command = invocation.command(.write, "pushes \(shown) to \(remote)", subcommand: "push", targets: targets, branches: branches)
        }
        Tools.emit(command, invocation, session: session)
    }

    /// The repository's `.git` directory: the working directory's or its nearest ancestor's.
    static func gitDirectory(frame: Frame, session: AnalysisSession) -> String? {
        guard let cwd = frame.cwd, !frame.remote else { return nil }
        if let known = session.gitDirectories[cwd] { return known }
        var directory = Substring(cwd)
        var found: String? = nil
        while true {
            let candidate = directory == "/" ? "/.git" : directory + "/.git"
            if session.readFile(candidate + "/HEAD") != nil {
                found = String(candidate)
                break
            }
            guard directory != "/", let slash = directory.lastIndex(of: "/") else { break }
            directory = slash == directory.startIndex ? "/" : directory[..<slash]
        }
        session.gitDirectories[cwd] = .some(found)
        return found
    }

    static func currentBranch(frame: Frame, session: AnalysisSession) -> String? {
        guard let gitDir = gitDirectory(frame: frame, session: session), let head = session.readFile(gitDir + "/HEAD") else { return nil }
        let line = head.trimmingSpaces().split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard line.hasPrefix("ref: refs/heads/") else { return nil }
        return String(line.dropFirst("ref: refs/heads/".count))
    }

    static func remoteURL(_ remote: String, frame: Frame, session: AnalysisSession) -> String? {
        if remote.contains("://") || remote.contains("@") { return remote }
        guard let gitDir = gitDirectory(frame: frame, session: session), let config = session.readFile(gitDir + "/config") else { return nil }
        var inSection = false
        for rawLine in config.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces()
            if line.hasPrefix("[") {
                inSection = line == "[remote \"\(remote)\"]"
                continue
            }
            if inSection, line.hasPrefix("url") , let eq = line.firstIndex(of: "=") {
                return line[line.index(after: eq)...].trimmingSpaces()
            }
        }
        return nil
    }
}
