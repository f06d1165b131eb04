/// Local file-system destruction and writes: `rm`, `dd`, `mkfs`, `shred`, `chmod -R`, `find
/// -delete` and friends. What makes a local command destructive is where it acts: the root,
/// home, system directories, `.git`, or anything outside the working and temporary directories.
enum FileSystemTools {
    static let handlers: [String: Tools.Handler] = [
        "rm": rm, "unlink": rm, "rmdir": rmdir, "dd": dd, "shred": shred, "srm": shred, "wipe": shred,
        "wipefs": disk, "fdisk": disk, "sfdisk": disk, "gdisk": disk, "parted": disk, "mkswap": disk,
        "mke2fs": disk, "blkdiscard": disk, "chmod": chmodLike, "chown": chmodLike, "chgrp": chmodLike,
        "chattr": chmodLike, "setfacl": chmodLike, "mv": mv, "cp": cp, "rsync": rsync, "tee": tee, "touch": writer,
        "mkdir": writer, "ln": writer, "truncate": writer, "install": writer, "sed": sed, "perl-i": writer,
        "find": find, "shutdown": power, "reboot": power, "halt": power, "poweroff": power,
        "crontab": crontab, "kill": kill, "killall": kill, "pkill": kill, "systemctl": systemctl,
    ]

    /// `mkfs`, `mkfs.ext4`, `mkfs.xfs` …
    static func prefixHandler(for name: String) -> Tools.Handler? {
        name.hasPrefix("mkfs") ? disk : nil
    }

    static let systemDirectories = [
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root",
        "/sbin", "/srv", "/sys", "/usr", "/var/lib", "/var/log", "/var/spool", "/var/mail", "/snap",
    ]

    /// Directories whose own removal is critical but whose contents are ordinary files.
    static let criticalOnlyItself = ["/home", "/var", "/tmp", "/var/tmp", "/mnt", "/media", "/Users"]

    // MARK: Location of a path

    enum Location { case scratch, project, outside, system, critical }

    /// Where a path lies, from the least to the most sensitive. `critical` is a path whose loss
    /// is unrecoverable wholesale: the root, a home, a system directory itself, a `.git`.
    static func locate(_ access: PathAccess, session: AnalysisSession, frame: Frame) -> Location {
        let context = session.context
        if frame.remote {
            // On another machine only absolute paths are known; `~` and relative paths are in
            // the remote home, which is outside any working directory.
            if access.path == "~" || access.path == "~/" || globBase(access.path) == "~" { return .critical }
            if !access.path.hasPrefix("/") { return .outside }
        }
        let path = globBase(access.path)
        if path != access.path {
            // A glob removes the directory's children, not the directory: `./*` and `/tmp/*`
            // stay inside, `/*` and `~/*` do not.
            if path == "/" || path == context.homeDirectory || Paths.isInside(context.homeDirectory, path) { return .critical }
            if systemDirectories.contains(path) { return .critical }
            if context.temporaryDirectories.contains(where: { Paths.isInside(path, $0) }) { return .scratch }
            if let cwd = frame.cwd, !frame.remote, Paths.isInside(path, cwd) { return .project }
            if let cwd = frame.cwd, !frame.remote, Paths.isInside(cwd, path) { return .critical }
            if systemDirectories.contains(where: { Paths.isInside(path, $0) }) { return .system }
            return .outside
        }
        if path == "/" || path == context.homeDirectory || Paths.isInside(context.homeDirectory, path) { return .critical }
        if Paths.basename(path) == ".git" { return .critical }
        if systemDirectories.contains(path) || criticalOnlyItself.contains(path) { return .critical }
        if let cwd = frame.cwd, !frame.remote, path == cwd || Paths.isInside(cwd, path) { return .critical }
        if context.temporaryDirectories.contains(where: { path != $0 && Paths.isInside(path, $0) }) { return .scratch }
        if let cwd = frame.cwd, !frame.remote, Paths.isInside(path, cwd) { return .project }
        if systemDirectories.contains(where: { Paths.isInside(path, $0) }) { return .system }
        return .outside
    }

    /// The directory part of a glob pattern that is fixed (`/home/u/*` → `/home/u`).
    static func globBase(_ path: String) -> String {
        guard path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return path }
        var base: [Substring] = []
        for component in path.split(separator: "/") {
            if component.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { break }
            base.append(component)
        }
        return "/" + base.joined(separator: "/")
    }

    /// Raises a command's effect for what it writes: a block device is destroyed by a write.
    static func escalateForPaths(_ command: inout AnalyzedCommand, session: AnalysisSession, frame: Frame) {
        for access in command.paths where access.mode == .write && !access.dynamic {
            if access.path.hasPrefix("/dev/") && !access.path.hasPrefix("/dev/shm/") && command.effect != .destructive {
                command.effect = .destructive
                command.effectReason = "writes directly to the device \(access.path)"
            }
        }
    }

    // MARK: Handlers

    static func operands(_ invocation: Invocation, valued: [String] = []) -> (OptionScan, [Arg]) {
        let scan = OptionScan(invocation.args, valued: valued)
        return (scan, scan.operands.map(\.arg))
    }

    static let rm: Tools.Handler = { invocation, session in
        let (scan, targets) = operands(invocation)
        let recursive = scan.has("-r", "-R", "--recursive") || invocation.name == "rmdir"
        var paths: [PathAccess] = []
        var effect = EffectClass.write
        var reason = "removes files inside the working or a temporary directory"
        if scan.has("--no-preserve-root") {
            effect = .destructive
            reason = "--no-preserve-root allows removing /"
        }
        for target in targets {
            guard let access = session.pathAccess(target, mode: .write, frame: invocation.frame) else { continue }
            paths.append(access)
            if access.dynamic {
                if recursive && effect < .opaque {
                    effect = .opaque
                    reason = "removes recursively a path only known at run time (\(target.text))"
                }
                continue
            }
            switch locate(access, session: session, frame: invocation.frame) {
            case .critical:
                effect = .destructive
                reason = "removes \(access.path), which cannot be restored wholesale"
            case .system:
                effect = .destructive
                reason = "removes \(access.path) in a system directory"
            case .outside where recursive:
                if effect < .destructive {
                    effect = .destructive
                    reason = "removes \(access.path) recursively, outside the working and temporary directories"
                }
            case .outside:
                if effect < .write { effect = .write }
                if effect == .write { reason = "removes a file outside the working directory" }
            case .project, .scratch:
                break
            }
        }
        if targets.isEmpty && invocation.stdin != .inherited {
            effect = max(effect, .opaque)
            reason = "removes paths read from its input"
        }
        Tools.emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    static let rmdir: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation)
        let paths = targets.compactMap { session.pathAccess($0, mode: .write, frame: invocation.frame) }
        Tools.emit(invocation.command(.write, "removes empty directories", paths: paths), invocation, session: session)
    }

    static let dd: Tools.Handler = { invocation, session in
        var paths: [PathAccess] = []
        var effect = EffectClass.read
        var reason = "copies data"
        for arg in invocation.args {
            if arg.text.hasPrefix("of="), let access = session.pathAccess(Arg(String(arg.text.dropFirst(3)), known: arg.known), mode: .write, frame: invocation.frame) {
                paths.append(access)
                effect = max(effect, .write)
                reason = "writes \(access.path)"
                if access.path.hasPrefix("/dev/") {
                    effect = .destructive
                    reason = "overwrites the device \(access.path)"
                }
            } else if arg.text.hasPrefix("if="), let access = session.pathAccess(Arg(String(arg.text.dropFirst(3)), known: arg.known), mode: .read, frame: invocation.frame) {
                paths.append(access)
            }
        }
        Tools.emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    static let shred: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-n", "-s", "--iterations", "--size", "--random-source"])
        let paths = targets.compactMap { session.pathAccess($0, mode: .write, frame: invocation.frame) }
        Tools.emit(invocation.command(.destructive, "\(invocation.name) destroys file contents beyond recovery", paths: paths), invocation, session: session)
    }

    static let disk: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-t", "-L", "-b", "-c", "-o"])
        let paths = targets.compactMap { session.pathAccess($0, mode: .write, frame: invocation.frame) }
        let readOnlyListing = invocation.args.contains { $0.text == "-l" || $0.text == "--list" || $0.text == "print" }
        if readOnlyListing && ["fdisk", "sfdisk", "parted", "gdisk"].contains(invocation.name) {
            Tools.emit(invocation.command(.read, "\(invocation.name) lists partitions", paths: paths.map { PathAccess($0.path, .read) }), invocation, session: session)
            return
        }
        Tools.emit(invocation.command(.destructive, "\(invocation.name) rewrites a disk or file system", paths: paths), invocation, session: session)
    }

    static let chmodLike: Tools.Handler = { invocation, session in
        let (scan, operands) = operands(invocation, valued: ["--reference"])
        let recursive = scan.has("-R", "--recursive")
        // The first operand is the mode or owner, except for chattr/setfacl style flags.
        let targets = invocation.name == "setfacl" ? operands : Array(operands.dropFirst())
        var effect = EffectClass.write
        var reason = "changes permissions or ownership"
        var paths: [PathAccess] = []
        for target in targets {
            guard let access = session.pathAccess(target, mode: .write, frame: invocation.frame) else { continue }
            paths.append(access)
            if access.dynamic { continue }
            let location = locate(access, session: session, frame: invocation.frame)
            if location == .critical && (recursive || access.path == "/") || (location == .system && recursive) {
                effect = .destructive
                reason = "changes permissions or ownership of \(access.path)\(recursive ? " recursively" : "")"
            }
        }
        Tools.emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    static let mv: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-t", "--target-directory", "-S", "--suffix"])
        var paths: [PathAccess] = []
        var effect = EffectClass.write
        var reason = "moves files"
        for (index, target) in targets.enumerated() {
            guard let access = session.pathAccess(target, mode: .write, frame: invocation.frame) else {
                if target.text == "/dev/null" && index == targets.count - 1 {
                    effect = .destructive
                    reason = "moves files into /dev/null"
                }
                continue
            }
            paths.append(access)
            let isSource = index < targets.count - 1
            if isSource, !access.dynamic, locate(access, session: session, frame: invocation.frame) == .critical {
                effect = .destructive
                reason = "moves \(access.path) away"
            }
        }
        Tools.emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    static let cp: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-t", "--target-directory", "-S", "--suffix"])
        var paths: [PathAccess] = []
        for (index, target) in targets.enumerated() {
            let mode: PathAccess.Mode = index == targets.count - 1 ? .write : .read
            if let access = session.pathAccess(target, mode: mode, frame: invocation.frame) { paths.append(access) }
        }
        var effect = EffectClass.write
        var reason = "copies files"
        if let destination = paths.last, destination.mode == .write, destination.path.hasPrefix("/dev/") {
            effect = .destructive
            reason = "overwrites the device \(destination.path)"
        }
        Tools.emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    static let rsync: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-e", "--rsh", "--exclude", "--include", "--filter", "-f", "--files-from", "--port"])
        var paths: [PathAccess] = []
        var targetsRemote: [Target] = []
        for (index, target) in targets.enumerated() {
            if let colon = target.text.firstIndex(of: ":"), !target.text.hasPrefix("/") {
                let host = String(target.text[..<colon]).split(separator: "@").last.map(String.init) ?? ""
                targetsRemote.append(Target(.host, host, source: "rsync destination"))
                continue
            }
            let mode: PathAccess.Mode = index == targets.count - 1 ? .write : .read
            if let access = session.pathAccess(target, mode: mode, frame: invocation.frame) { paths.append(access) }
        }
        let deletes = invocation.args.contains { $0.text.hasPrefix("--delete") || $0.text == "--remove-source-files" }
        Tools.emit(invocation.command(deletes ? .destructive : .write, deletes ? "rsync --delete removes files at the destination" : "copies files", targets: targetsRemote, paths: paths), invocation, session: session)
    }

    static let tee: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation)
        let paths = targets.compactMap { session.pathAccess($0, mode: .write, frame: invocation.frame) }
        Tools.emit(invocation.command(.write, "writes files", paths: paths), invocation, session: session)
    }

    static let writer: Tools.Handler = { invocation, session in
        let (_, targets) = operands(invocation, valued: ["-m", "--mode", "-s", "--size", "-o", "-g", "-t", "-r", "--reference", "-d", "--date"])
        let paths = targets.compactMap { session.pathAccess($0, mode: .write, frame: invocation.frame) }
        Tools.emit(invocation.command(.write, "\(invocation.name) creates or changes files", paths: paths), invocation, session: session)
    }

    static let sed: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-e", "--expression", "-f", "--file", "-l", "--line-length"])
        let inPlace = scan.options.contains { $0.name == "-i" || $0.name.hasPrefix("--in-place") } || invocation.args.contains { $0.text.hasPrefix("-i") && $0.text.count <= 6 }
        // Without -e, the first operand is the script.
        let files = scan.has("-e", "--expression", "-f", "--file") ? scan.operands.map(\.arg) : Array(scan.operands.map(\.arg).dropFirst())
        let mode: PathAccess.Mode = inPlace ? .write : .read
        let paths = files.compactMap { session.pathAccess($0, mode: mode, frame: invocation.frame) }
        Tools.emit(invocation.command(inPlace ? .write : .read, inPlace ? "sed -i edits files in place" : "sed prints transformed text", paths: paths), invocation, session: session)
    }

    /// `find` reads, unless it deletes (`-delete`) or runs commands (`-exec`, `-execdir`,
    /// `-ok`), which are analysed with `{}` standing for what find visits.
    static let find: Tools.Handler = { invocation, session in
        let args = invocation.args
        var starts: [Arg] = []
        for arg in args {
            if arg.text.hasPrefix("-") || arg.text == "(" || arg.text == "!" { break }
            starts.append(arg)
        }
        if starts.isEmpty { starts = [Arg(".")] }
        let startPaths = starts.compactMap { session.pathAccess($0, mode: .read, frame: invocation.frame) }
        if args.contains(where: { $0.text == "-delete" }) {
            var rmArgs = [Arg("-r")]
            rmArgs.append(contentsOf: starts.map { Arg($0.text + "/*", known: $0.known, glob: true) })
            var inner = invocation
            inner.name = "rm"
            inner.args = rmArgs
            inner.frame = invocation.childFrame("find -delete")
            rm(inner, session)
        }
        var index = 0
        while index < args.count {
            let text = args[index].text
            if ["-exec", "-execdir", "-ok", "-okdir"].contains(text) {
                var argv: [Arg] = []
                index += 1
                while index < args.count, args[index].text != ";", args[index].text != "+" {
                    let arg = args[index]
                    argv.append(arg.text == "{}" ? Arg((starts.first?.text ?? ".") + "/*", known: starts.first?.known ?? true, glob: true) : arg)
                    index += 1
                }
                if !argv.isEmpty {
                    session.run(argv, assignments: [:], stdin: .inherited, redirects: [], frame: invocation.childFrame("find \(text)"))
                }
            }
            index += 1
        }
        Tools.emit(invocation.command(.read, "find lists files", paths: startPaths), invocation, session: session)
    }

    static let power: Tools.Handler = { invocation, session in
        Tools.emit(invocation.command(.destructive, "\(invocation.name) stops the machine"), invocation, session: session)
    }

    static let crontab: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-u"])
        if scan.has("-r") {
            Tools.emit(invocation.command(.destructive, "crontab -r deletes every scheduled job"), invocation, session: session)
        } else if scan.has("-l") {
            Tools.emit(invocation.command(.read, "crontab -l lists jobs"), invocation, session: session)
        } else {
            Tools.emit(invocation.command(.write, "changes scheduled jobs"), invocation, session: session)
        }
    }

    static let kill: Tools.Handler = { invocation, session in
        let everything = invocation.args.contains { $0.text == "-1" } && invocation.name == "kill"
        Tools.emit(invocation.command(everything ? .destructive : .write, everything ? "kill -1 signals every process" : "signals processes"), invocation, session: session)
    }

    static let systemctl: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-H", "--host", "-M", "--machine", "-t", "--type", "-p", "--property"])
        let verb = scan.operandTexts.first ?? "list-units"
        let reads = ["status", "show", "list-units", "list-unit-files", "is-active", "is-enabled", "is-failed", "cat", "list-timers", "list-sockets", "list-dependencies"]
        let destructive = ["poweroff", "reboot", "halt", "kexec", "rescue", "emergency", "mask"]
        let effect: EffectClass = reads.contains(verb) ? .read : destructive.contains(verb) ? .destructive : .write
        var targets: [Target] = []
        if let host = scan.value("-H", "--host") { targets.append(Target(.host, host.split(separator: "@").last.map(String.init) ?? host, source: "systemctl --host")) }
        Tools.emit(invocation.command(effect, "systemctl \(verb)", subcommand: verb, targets: targets), invocation, session: session)
    }
}
