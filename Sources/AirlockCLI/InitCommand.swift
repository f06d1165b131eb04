import AirlockCore
import ArgumentParser

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the default policy, commented, to $AIRLOCK_HOME/policy.yaml.")

    func run() throws {
        throw ValidationError("not yet available")
    }
}

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Lint, test and show the policy.",
        subcommands: [])
}
