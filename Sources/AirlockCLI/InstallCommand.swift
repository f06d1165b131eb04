import AirlockHooks
import AirlockRuntime
import ArgumentParser
import Foundation

struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Add Airlock's hook to an agent host's settings (Claude Code, Cursor, Codex, Gemini CLI).",
        discussion: """
            Writes one entry into the host's settings file so the host runs `airlock hook HOST` \
            before each shell command, file access and MCP tool call, and obeys its verdict. \
            Nothing else in the file changes: other settings, other hooks and their order stay \
            as they were, the old file is kept beside it as FILE.airlock-backup-TIMESTAMP, and \
            running install again changes nothing. An earlier Airlock entry (another path, \
            another home) is replaced, never doubled.

            The entry runs this installation's `airlock` by its absolute path, with \
            $AIRLOCK_HOME pinned to your Airlock home, so an agent cannot point it at another \
            policy by changing its environment.

            Files (user scope; --project DIR uses DIR/ instead of ~/) and events:
              claude  ~/.claude/settings.json  PreToolUse
              cursor  ~/.cursor/hooks.json     beforeShellExecution, beforeMCPExecution,
                                               beforeReadFile (each with failClosed)
              codex   ~/.codex/hooks.json      PreToolUse
              gemini  ~/.gemini/settings.json  BeforeTool

            Examples:
              airlock install claude
              airlock install cursor --project ~/src/app
              airlock install gemini --dry-run
              airlock install codex --uninstall
              airlock install claude --format json

            Then run `airlock doctor` to check that the hook answers.
            """)

    @Argument(help: ArgumentHelp("The agent host: claude, cursor, codex or gemini.", valueName: "host"))
    var host: HookHost

    @Option(help: ArgumentHelp("Install into the project at DIR (DIR/.claude/settings.json …) instead of your home directory.", valueName: "dir"))
    var project: String?

    @Flag(help: "Remove Airlock's entries (only those) instead of adding them.")
    var uninstall = false

    @Flag(name: .customLong("dry-run"), help: "Print the file as it would be written, and write nothing.")
    var dryRun = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let environment = ProcessFacts.environment()
        let home = ProcessFacts.homeDirectory(environment: environment)
        let path = try settingsPath(home: home)
        let settings = HookSettings(
            host: host, airlockExecutable: ExecutablePaths.sibling("airlock"),
            airlockHome: AirlockHome.path(environment: environment, home: home))
        let edit = try SettingsEdit.plan(path: path, host: host, install: uninstall ? nil : settings)
        var backup: String?
        if !dryRun, edit.changes {
            backup = try edit.write()
        }
        report(edit, settings: settings, backup: backup)
    }

    private func settingsPath(home: String) throws -> String {
        guard let project else { return host.userFile(home: home) }
        let root = project.hasPrefix("/") ? project : FileManager.default.currentDirectoryPath + "/" + project
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--project \(project): no such directory; give the root of the project the agent works in")
        }
        return host.projectFile(root: URL(fileURLWithPath: root).standardizedFileURL.path)
    }

    private func report(_ edit: SettingsEdit, settings: HookSettings, backup: String?) {
        if format == .json {
            Console.out(JSON.object([
                "host": .string(host.rawValue), "file": .string(edit.path), "action": .string(edit.action.rawValue),
                "backup": .optional(backup), "dryRun": .bool(dryRun), "command": .string(settings.command),
            ]).text)
            return
        }
        if dryRun {
            Console.out(edit.changes
                ? "dry run: would \(edit.action.verb) \(edit.path); nothing written. It would read:\n\n\(edit.newText ?? "(the file unchanged)")"
                : "dry run: \(edit.action == .absent ? "no Airlock hook for \(host.displayName) in \(edit.path)" : "\(edit.path) already has Airlock's hook"); nothing to change")
            return
        }
        var lines: [String] = []
        switch edit.action {
        case .installed, .updated:
            lines.append("\(edit.action == .installed ? "installed" : "updated") Airlock's hook for \(host.displayName) in \(edit.path)")
            lines.append("  command: \(settings.command)")
        case .unchanged:
            lines.append("Airlock's hook for \(host.displayName) is already in \(edit.path); nothing changed")
        case .removed:
            lines.append("removed Airlock's hook for \(host.displayName) from \(edit.path)")
        case .absent:
            lines.append("no Airlock hook for \(host.displayName) in \(edit.path); nothing changed")
        }
        if let backup { lines.append("  backup: \(backup)") }
        if !uninstall { lines.append(contentsOf: nextSteps) }
        Console.out(lines.joined(separator: "\n"))
    }

    private var nextSteps: [String] {
        var steps = ["next: restart \(host.displayName) (or start a new session) so it reads the file, then run 'airlock doctor'"]
        switch host {
        case .codex:
            steps.append("      Codex runs hooks only with `codex_hooks = true` under [features] in ~/.codex/config.toml, and asks you to trust a new hook once")
        case .gemini:
            steps.append("      check with /hooks in Gemini CLI that the hook is listed and enabled")
        case .claude, .cursor:
            break
        }
        return steps
    }
}

/// One planned change to a host's settings file: read, checked and merged, not yet written.
struct SettingsEdit {
    /// What install did (or would do) to the file.
    enum Action: String {
        case installed, updated, unchanged, removed, absent

        var verb: String {
            switch self {
            case .installed: "install Airlock's hook in"
            case .updated: "update Airlock's hook in"
            case .unchanged: "leave unchanged"
            case .removed: "remove Airlock's hook from"
            case .absent: "leave unchanged"
            }
        }
    }

    /// The file as named (what the user sees) and the file written (a symlink's target).
    let path: String
    let target: String
    let action: Action
    /// The original bytes and mode, when the file exists.
    let original: Data?
    let mode: mode_t
    /// The text to write, when the content changes.
    let newText: String?

    var changes: Bool { newText != nil }

    /// Reads `path` and merges Airlock's entries in (`install`) or out (nil). Throws, naming
    /// the file, when it is not JSON or not a shape Airlock can edit; nothing is written.
    static func plan(path: String, host: HookHost, install: HookSettings?) throws -> SettingsEdit {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let manager = FileManager.default
        let original = manager.fileExists(atPath: target) ? manager.contents(atPath: target) : nil
        if manager.fileExists(atPath: target), original == nil {
            throw CLIError("cannot read \(path); check its permissions")
        }
        let mode = (try? manager.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber).map { mode_t($0.uint16Value) } ?? 0o644
        var text = ""
        var document = SettingsJSON.object([])
        if let original {
            guard let decoded = String(data: original, encoding: .utf8) else {
                throw CLIError("\(path) is not UTF-8 text; nothing was changed. Fix or move the file, then run install again")
            }
            text = decoded
            if !text.allSatisfy(\.isWhitespace) {
                do {
                    document = try SettingsJSON.parse(text)
                } catch {
                    throw CLIError("\(path) is not valid JSON (\(error)); nothing was changed. Fix the file, or move it aside, then run install again")
                }
            }
        }
        let had = !HookSettings.airlockCommands(in: document, host: host).isEmpty
        let updated: SettingsJSON
        do {
            if let install {
                updated = try install.installing(into: document)
            } else {
                updated = try HookSettings.uninstalling(from: document, host: host)
            }
        } catch {
            throw CLIError("cannot edit \(path): \(error)")
        }
        let action: Action
        switch (install != nil, had, updated == document && original != nil) {
        case (true, _, true): action = .unchanged
        case (true, true, false): action = .updated
        case (true, false, false): action = .installed
        case (false, true, _): action = .removed
        case (false, false, _): action = .absent
        }
        let changed = action == .installed || action == .updated || action == .removed
        return SettingsEdit(
            path: path, target: target, action: action, original: original, mode: mode,
            newText: changed ? updated.rendered(indent: SettingsJSON.indentUnit(of: text)) : nil)
    }

    /// Writes the new text atomically (same mode as before), after keeping the old file as a
    /// backup beside it; returns the backup's path (nil for a new file).
    func write() throws -> String? {
        guard let newText else { return nil }
        let manager = FileManager.default
        let directory = (target as NSString).deletingLastPathComponent
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(directory): \(error.localizedDescription)")
        }
        var backup: String?
        if let original {
            let path = Self.backupPath(for: path, existing: manager)
            guard manager.createFile(atPath: path, contents: original, attributes: [.posixPermissions: NSNumber(value: mode)]) else {
                throw CLIError("cannot write the backup \(path); nothing was changed. Check the directory's permissions")
            }
            backup = path
        }
        do {
            try AtomicFile.write(newText, to: target, mode: mode)
        } catch {
            throw CLIError("\(error); the file was not changed")
        }
        chmod(target, mode)  // the umask may have narrowed the mode the file had
        return backup
    }

    /// `FILE.airlock-backup-20261121T095519Z`, with `-2`, `-3` … if that exists already.
    static func backupPath(for path: String, existing manager: FileManager) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = path + ".airlock-backup-" + formatter.string(from: Date())
        var candidate = base
        var number = 2
        while manager.fileExists(atPath: candidate) {
            candidate = base + "-\(number)"
            number += 1
        }
        return candidate
    }
}
