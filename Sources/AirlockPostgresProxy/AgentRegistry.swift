import AirlockCore
import AirlockPostgresWire
import AirlockRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The agents allowed to log in to Airlock's proxies, and the SCRAM verifiers of their tokens:
/// `$AIRLOCK_HOME/agents.json` (mode 0600).
///
/// ```json
/// {"version": 1, "agents": [{"name": "claude", "verifier": "SCRAM-SHA-256$4096:…", "created": "2026-11-21T12:00:00Z"}]}
/// ```
///
/// A token is shown once when issued and never stored: only its verifier is, so reading the
/// file does not give anyone a token. Loading fails closed: a file that is unreadable, not this
/// format, of another version, or with a duplicate or invalid entry is an error naming the file
/// and the problem, never an empty registry (which would lock every agent out silently) and
/// never a partial one.
public struct AgentRegistry: Sendable {
    /// One agent: its login name, the verifier of its token, and when the token was issued.
    public struct Agent: Sendable, Hashable {
        public var name: String
        public var verifier: SCRAMVerifier
        /// RFC 3339 UTC (`2026-11-21T12:00:00Z`).
        public var created: String

        public init(name: String, verifier: SCRAMVerifier, created: String) {
            self.name = name
            self.verifier = verifier
            self.created = created
        }
    }

    /// Why the registry could not be read, changed or written; the description names the file
    /// (or the agent) and says what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static let fileName = "agents.json"
    /// The only format version this build reads and writes.
    public static let version = 1
    /// Tokens start with this, so they are recognisable in a leak scan or a log.
    public static let tokenPrefix = "alk_"
    /// Far larger than any real registry (about 200 bytes an agent); bounds what is read.
    static let maximumFileSize = 16 << 20

    /// The agents, in the order they were added.
    public private(set) var agents: [Agent]

    /// An empty registry.
    public init() { agents = [] }

    /// `$AIRLOCK_HOME/agents.json`.
    public static func path(home: String) -> String { home + "/" + fileName }

    /// The agents' names, in the order they were added.
    public var names: [String] { agents.map(\.name) }

    /// The verifier of `name`'s token; nil when there is no such agent. Names match exactly,
    /// as PostgreSQL's role names do.
    public func verifier(for name: String) -> SCRAMVerifier? {
        agents.first { $0.name == name }?.verifier
    }

    /// 1–63 characters (PostgreSQL's limit for a name) of `A-Z a-z 0-9 . _ -`, not starting
    /// with a dash (it would read as an option on a command line).
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1 ... 63).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a") ... UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The explanation of a name `isValidName` refuses, for error messages.
    public static let nameRule = "an agent name is 1 to 63 characters of letters, digits, '.', '_' and '-', not starting with '-'"

    /// Issues a new token for `name` and returns it; only its verifier is kept. An agent of the
    /// same name (compared ignoring case, so "Claude" and "claude" cannot be two identities in
    /// the audit log) is refused unless `replace`, which gives it the new token instead.
    public mutating func add(name: String, replace: Bool = false) throws(Failure) -> String {
        guard Self.isValidName(name) else { throw Failure("invalid agent name \"\(name)\": \(Self.nameRule)") }
        let existing = agents.firstIndex { $0.name.lowercased() == name.lowercased() }
        if let existing, !replace {
            throw Failure("an agent named \"\(agents[existing].name)\" already exists; pass --replace to give it a new token (its current token stops working), or choose another name")
        }
        // 256 random bits: a token cannot be guessed, so the verifier's iteration count is
        // there for PostgreSQL compatibility, not to slow down guessing.
        let token = Self.tokenPrefix + RandomText.urlSafe(byteCount: 32)
        let agent = Agent(name: name, verifier: .make(password: token, salt: RandomText.bytes(16)), created: Self.now())
        if let existing {
            agents[existing] = agent
        } else {
            agents.append(agent)
        }
        return token
    }

    /// Removes `name` (exact match); its token stops working.
    public mutating func remove(name: String) throws(Failure) {
        guard let index = agents.firstIndex(where: { $0.name == name }) else {
            throw Failure("no agent named \"\(name)\" (see 'airlock agents list')")
        }
        agents.remove(at: index)
    }

    // MARK: - The file

    /// Reads `$AIRLOCK_HOME/agents.json`; a missing file is an empty registry.
    public static func load(home: String) throws(Failure) -> AgentRegistry {
        let path = path(home: home)
        guard let bytes = try readFile(path) else { return AgentRegistry() }
        return try AgentRegistry(parsing: bytes, path: path)
    }

    /// Reads the file's bytes; `path` names it in errors.
    public init(parsing bytes: [UInt8], path: String) throws(Failure) {
        func corrupt(_ problem: String) -> Failure {
            Failure("\(path): \(problem). fix it, restore it from a backup, or move it away and issue new tokens with 'airlock agents add NAME'")
        }
        guard case .object(let members)? = JSONReader.parse(bytes) else { throw corrupt("not a JSON object") }
        var version: Int?
        var entries: [JSONReader.Value]?
        for (key, value) in members {
            switch key {
            case "version":
                guard version == nil else { throw corrupt("\"version\" appears twice") }
                guard case .number(let number) = value else { throw corrupt("\"version\" is not a number") }
                version = number
            case "agents":
                guard entries == nil else { throw corrupt("\"agents\" appears twice") }
                guard case .array(let items) = value else { throw corrupt("\"agents\" is not a list") }
                entries = items
            default:
                // Unknown keys are refused, not skipped: a misspelt key must not go unnoticed.
                throw corrupt("unknown key \"\(key)\"")
            }
        }
        guard let version else { throw corrupt("no \"version\"") }
        guard version == Self.version else { throw corrupt("version \(version), but this Airlock reads version \(Self.version) only (a newer Airlock wrote it?)") }
        guard let entries else { throw corrupt("no \"agents\" list") }
        var agents: [Agent] = []
        var seen: Set<String> = []
        for (position, entry) in entries.enumerated() {
            let which = "agent #\(position + 1)"
            guard case .object(let fields) = entry else { throw corrupt("\(which) is not an object") }
            var values: [String: String] = [:]
            for (key, value) in fields {
                guard ["name", "verifier", "created"].contains(key) else { throw corrupt("\(which) has an unknown key \"\(key)\"") }
                guard values[key] == nil else { throw corrupt("\(which) has \"\(key)\" twice") }
                guard case .string(let text) = value else { throw corrupt("\(which)'s \"\(key)\" is not a string") }
                values[key] = text
            }
            guard let name = values["name"] else { throw corrupt("\(which) has no \"name\"") }
            guard Self.isValidName(name) else { throw corrupt("\(which) has an invalid name \"\(name)\" (\(Self.nameRule))") }
            guard seen.insert(name.lowercased()).inserted else { throw corrupt("the name \"\(name)\" appears twice") }
            guard let text = values["verifier"] else { throw corrupt("agent \"\(name)\" has no \"verifier\"") }
            guard let verifier = SCRAMVerifier(parsing: text) else { throw corrupt("agent \"\(name)\"'s verifier is not a SCRAM-SHA-256 verifier") }
            guard let created = values["created"] else { throw corrupt("agent \"\(name)\" has no \"created\"") }
            agents.append(Agent(name: name, verifier: verifier, created: created))
        }
        self.agents = agents
    }

    /// The file's text: one agent a line, so a diff or a look shows who changed.
    public var jsonText: String {
        var out = "{\n  \"version\": \(Self.version),\n  \"agents\": ["
        for (index, agent) in agents.enumerated() {
            out += index == 0 ? "\n" : ",\n"
            out += "    {\"name\": \(JSONText.string(agent.name)), \"verifier\": \(JSONText.string(agent.verifier.text)), \"created\": \(JSONText.string(agent.created))}"
        }
        out += agents.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    /// Writes `$AIRLOCK_HOME/agents.json` atomically (temporary file, fsync, rename), mode 0600,
    /// creating `$AIRLOCK_HOME` (0700) if needed.
    public func save(home: String) throws(Failure) {
        if mkdir(home, 0o700) != 0 && errno != EEXIST {
            throw Failure("cannot create \(home): \(String(cString: strerror(errno)))")
        }
        do {
            try AtomicFile.write(jsonText, to: Self.path(home: home), mode: 0o600)
        } catch {
            throw Failure("\(error)")
        }
    }

    /// Load, change and save under an exclusive lock (`agents.json.lock`), so two people
    /// adding agents at once do not lose one of the changes.
    public static func modify<T>(home: String, _ body: (inout AgentRegistry) throws(Failure) -> T) throws(Failure) -> T {
        if mkdir(home, 0o700) != 0 && errno != EEXIST {
            throw Failure("cannot create \(home): \(String(cString: strerror(errno)))")
        }
        let lockPath = path(home: home) + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw Failure("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Failure("cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
        }
        var registry = try load(home: home)
        let result = try body(&registry)
        try registry.save(home: home)
        return result
    }

    /// The file's bytes; nil when it does not exist. Anything else that stops the read (a
    /// directory in its place, no permission, too large) is an error: fail closed.
    static func readFile(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure("\(path) is not a regular file") }
        guard Int(info.st_size) <= maximumFileSize else { throw Failure("\(path) is \(info.st_size) bytes, more than an agent registry can be (\(maximumFileSize))") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[..<n]
            guard bytes.count <= maximumFileSize else { throw Failure("\(path) grew past \(maximumFileSize) bytes while being read") }
        }
        return bytes
    }

    /// Now, as RFC 3339 UTC to the second.
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00Z" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
