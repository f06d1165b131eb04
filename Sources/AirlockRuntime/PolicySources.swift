import AirlockAudit
import AirlockCore
#if canImport(Glibc)
import Glibc
#endif

/// The policy files that apply to a check, found in the documented order: `--policy`, else
/// `$AIRLOCK_POLICY`, else `$AIRLOCK_HOME/policy.yaml`; then the workspace's
/// `.airlock/policy.yaml`. Only finds and reads them: parsing is AirlockPolicyFile's.
public struct PolicySources: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// The files that exist and were read, base first.
    public var files: [File]
    /// Files that were named (or exist) but could not be read: the policy cannot be known.
    public var unreadable: [String]

    public static let workspacePolicyPath = ".airlock/policy.yaml"

    public init(files: [File], unreadable: [String]) {
        self.files = files
        self.unreadable = unreadable
    }

    public static func find(explicit: String?, processEnvironment: [String: String], context: Context, files source: any FileSource) -> PolicySources {
        var found: [File] = []
        var unreadable: [String] = []
        func absolute(_ path: String) -> String { Paths.normalize(path, relativeTo: context.workingDirectory) }
        func read(_ path: String, required: Bool) {
            if let text = source.contents(of: path) {
                found.append(File(path: path, text: text))
            } else if required || access(path, F_OK) == 0 {
                unreadable.append(path)
            }
        }
        let base: String
        if let explicit {
            base = absolute(explicit)
            read(base, required: true)
        } else if let named = processEnvironment["AIRLOCK_POLICY"], !named.isEmpty {
            base = absolute(named)
            read(base, required: true)
        } else {
            base = context.airlockHome + "/policy.yaml"
            read(base, required: false)
        }
        let workspace = context.workingDirectory + "/" + workspacePolicyPath
        if workspace != base { read(workspace, required: false) }
        return PolicySources(files: found, unreadable: unreadable)
    }

    /// A key for the compiled form of exactly these files' contents (64-bit FNV-1a over the
    /// codec version, each path and each text).
    public var cacheKey: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        mix("airlock-policy-\(PolicyCodec.formatVersion)".utf8)
        for file in files {
            mix([0])
            mix(file.path.utf8)
            mix([0])
            mix(file.text.utf8)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Compiled policies under `$AIRLOCK_HOME/cache/`, so the front door decides without a YAML
/// parser. A missing, unreadable or undecodable entry is a miss: the full command line then
/// parses the YAML (and stores the entry), so the cache can only save time, never decide.
public enum PolicyCache {
    public static func path(airlockHome: String, key: String) -> String {
        airlockHome + "/cache/policy-\(key).json"
    }

    public static func load(airlockHome: String, key: String, files: any FileSource) -> Policy? {
        loadWithDigest(airlockHome: airlockHome, key: key, files: files)?.policy
    }

    /// The compiled policy and its digest, which is the digest of the cache file's text (the
    /// codec's encoding of the policy), so the policy need not be encoded again to name it.
    public static func loadWithDigest(airlockHome: String, key: String, files: any FileSource) -> (policy: Policy, digest: String)? {
        guard let text = files.contents(of: path(airlockHome: airlockHome, key: key)), let policy = PolicyCodec.decode(text) else { return nil }
        return (policy, "sha256:" + Hex.encode(SHA256.hash(Array(text.utf8))))
    }

    /// Stores a compiled policy, best effort: a cache that cannot be written only costs time.
    public static func store(_ policy: Policy, airlockHome: String, key: String) {
        let directory = airlockHome + "/cache"
        if mkdir(airlockHome, 0o700) != 0 && errno != EEXIST { return }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { return }
        try? AtomicFile.write(PolicyCodec.encode(policy), to: path(airlockHome: airlockHome, key: key), mode: 0o600)
    }
}
