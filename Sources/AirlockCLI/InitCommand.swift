import AirlockCore
import AirlockPolicyFile
import AirlockRuntime
import AirlockState
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the audit signing key and write the built-in policy, commented, to $AIRLOCK_HOME/policy.yaml.",
        discussion: """
            Creates $AIRLOCK_HOME (default ~/.airlock, mode 0700), the audit log's Ed25519 \
            signing key under keys/ (printing its verifier key), and writes the built-in policy \
            there as a commented YAML file you can adapt. An existing policy is kept unless \
            --force is given. Agents must never run this: the built-in policy denies it.

            --name records the name your approvals and freezes are signed with, beside your OS \
            user (e.g. "Ada Lovelace (ada)"); run it again to change it.
            """)

    @Flag(help: "Replace an existing policy file.")
    var force = false

    @Option(help: ArgumentHelp("Your name, recorded with the approvals and freezes you make (beside your OS user).", valueName: "name"))
    var name: String?

    @Flag(name: .customLong("print"), help: "Print the policy to standard output instead of writing it.")
    var printOnly = false

    func run() throws {
        if printOnly {
            Console.out(DefaultPolicyFile.yaml)
            return
        }
        let environment = ProcessFacts.environment()
        let home = AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
        let path = home + "/policy.yaml"
        if mkdir(home, 0o700) != 0 && errno != EEXIST {
            throw CLIError("cannot create \(home): \(String(cString: strerror(errno)))")
        }
        // The audit log's signing key: created once, never replaced by init.
        let (verifier, created) = try AuditKeys(home: home).ensure()
        Console.out(created
            ? "created the audit signing key \(home)/keys/audit.key (mode 0600); its verifier key, to keep off this machine:\n  \(verifier.text)"
            : "audit verifier key: \(verifier.text)")
        if let name {
            let user = ProcessFacts.userName()
            let clean = name.trimmingSpaces()
            guard !clean.isEmpty, !clean.contains(where: \.isNewline) else { throw CLIError("--name must be one line of text") }
            if mkdir(home + "/people", 0o700) != 0 && errno != EEXIST {
                throw CLIError("cannot create \(home)/people: \(String(cString: strerror(errno)))")
            }
            do {
                try AtomicFile.write(clean + "\n", to: PeopleFile.path(home: home, user: user), mode: 0o644)
            } catch {
                throw CLIError("\(error)")
            }
            Console.out("your approvals and freezes will be signed \(Person(user: user, name: clean).display)")
        }
        if access(path, F_OK) == 0 && !force {
            // Naming yourself is a reason to run init again; it is not a request to replace the policy.
            if name != nil { return }
            throw CLIError("\(path) already exists; pass --force to replace it, or edit it and run 'airlock policy lint'")
        }
        do {
            try AtomicFile.write(DefaultPolicyFile.yaml, to: path, mode: 0o644)
        } catch {
            throw CLIError("\(error)")
        }
        Console.out("wrote \(path)\nnext: edit it, then run 'airlock policy lint' and 'airlock policy test'")
    }
}

/// An error for the person at the terminal, printed as `airlock: MESSAGE`, exit 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
