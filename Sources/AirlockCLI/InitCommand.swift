import AirlockCore
import AirlockPolicyFile
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the built-in policy, commented, to $AIRLOCK_HOME/policy.yaml.",
        discussion: """
            Creates $AIRLOCK_HOME (default ~/.airlock, mode 0700) and writes the built-in policy \
            there as a commented YAML file you can adapt. An existing policy is kept unless \
            --force is given. Agents must never run this: the built-in policy denies it.
            """)

    @Flag(help: "Replace an existing policy file.")
    var force = false

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
        if access(path, F_OK) == 0 && !force {
            throw CLIError("\(path) already exists; pass --force to replace it, or edit it and run 'airlock policy lint'")
        }
        try FileWriter.writeAtomically(DefaultPolicyFile.yaml, to: path, mode: 0o644)
        Console.out("wrote \(path)\nnext: edit it, then run 'airlock policy lint' and 'airlock policy test'")
    }
}

/// An error for the person at the terminal, printed as `airlock: MESSAGE`, exit 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum FileWriter {
    /// Writes through a temporary file and rename, so a reader never sees half a policy.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                unlink(temporary)
                throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
