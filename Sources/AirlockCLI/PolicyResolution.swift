import AirlockCore
import AirlockPolicyFile
import AirlockRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Finds and loads the effective policy for a context: `--policy`, `$AIRLOCK_POLICY`,
/// `$AIRLOCK_HOME/policy.yaml`, else the built-in one, then the workspace's restrictions.
/// The outcome is a policy or the reasons there is none; callers deny everything then.
enum PolicyResolution {
    enum Outcome {
        case loaded(Policy, sources: [String])
        case failed([String])
    }

    static func load(explicit: String?, context: Context, files: LocalFiles) -> Outcome {
        var unreadable: [String] = []
        // The texts the loader parsed, so the compiled policy is stored under the key of
        // exactly what was parsed (a second read could see a file that changed meanwhile).
        var read: [String: String] = [:]
        let loaded = PolicyLoader.load(
            explicit: explicit,
            environment: ProcessFacts.environment(),
            airlockHome: context.airlockHome,
            workingDirectory: context.workingDirectory,
            readFile: { path in
                if let text = files.contents(of: path) {
                    read[path] = text
                    return text
                }
                // A policy that exists but cannot be read must not silently become the
                // built-in one: that would let a permissions mistake loosen the policy.
                if access(path, F_OK) == 0 { unreadable.append(path) }
                return nil
            })
        if !unreadable.isEmpty {
            return .failed(unreadable.map { "\($0): the policy file exists but cannot be read (check its permissions and size, at most \(PolicyLoader.maxFileSize) bytes)" })
        }
        switch loaded {
        case .loaded(let policy, let sources):
            // Compile for the front door: the next check with these exact files skips YAML.
            // The sources are the files read, base first, as PolicySources.find lists them.
            let parsed = sources.compactMap { path in read[path].map { PolicySources.File(path: path, text: $0) } }
            if !parsed.isEmpty {
                PolicyCache.store(policy, airlockHome: context.airlockHome, key: PolicySources(files: parsed, unreadable: []).cacheKey)
            }
            return .loaded(policy, sources: sources)
        case .failed(let errors): return .failed(errors.map(\.description))
        }
    }
}
