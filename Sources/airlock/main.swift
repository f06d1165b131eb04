import AirlockHooks
import AirlockRuntime

// `airlock hook HOST` is the agent hosts' door; everything else is the front door's.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "hook" {
    HookDoor.run(Array(arguments.dropFirst())) { context in
        guard let compiled = FrontDoor.compiledPolicy(explicit: nil, processEnvironment: context.environment, context: context) else { return .needsFullCLI }
        return .loaded(compiled.policy, digest: compiled.digest)
    }
}
FrontDoor.main()
