import Foundation
import Yams

/// A PostgreSQL server agents reach through the proxy, as `$AIRLOCK_HOME/upstreams.yaml`
/// declares it. The credentials are Airlock's: read from a file or the proxy's environment,
/// never given to an agent.
public struct Upstream: Sendable, Equatable {
    public var name: String
    public var host: String
    public var port: Int
    public var database: String
    /// The policy environment its statements are judged in.
    public var environment: String
    public var user: String
    public var password: Credential
    /// Server settings every session runs with (`statement_timeout`, `lock_timeout`), sent as
    /// start-up parameters so an agent's `SET` is the only way to change them (and `SET` of
    /// them is judged like any other).
    public var settings: [String: String]
    /// Whether and how the connection to the server is encrypted (`tls:`), with libpq's
    /// `sslmode` meanings so a DBA reads it the way they read a connection string.
    public var tls: TLSMode
    /// The CA certificates (PEM) the server's certificate must chain to (`tls_ca_file:`), for
    /// `verify-ca` and `verify-full`; absolute (the file's relative paths resolve under
    /// $AIRLOCK_HOME when it is read).
    public var tlsCAFile: String?

    /// How the proxy protects its connection to the server.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// In the clear: only for a server on the same host or a network Airlock trusts.
        case disable
        /// Encrypted, the server's certificate not checked: stops a passive listener, not
        /// someone in the middle (libpq's `require`).
        case require
        /// Encrypted, the certificate must chain to `tls_ca_file`; any name is accepted.
        case verifyCA = "verify-ca"
        /// Encrypted, the certificate must chain to `tls_ca_file` and name `host` (a DNS name
        /// or an IP address in its subject alternative names).
        case verifyFull = "verify-full"

        /// Whether the server's certificate is checked against a CA file.
        public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }
    }

    /// Where the password comes from.
    public enum Credential: Sendable, Equatable {
        case none
        case file(String)
        case environment(String)
    }

    public init(
        name: String, host: String, port: Int = 5432, database: String, environment: String, user: String, password: Credential = .none, settings: [String: String] = [:],
        tls: TLSMode = .disable, tlsCAFile: String? = nil
    ) {
        self.tls = tls
        self.tlsCAFile = tlsCAFile
        self.name = name
        self.host = host
        self.port = port
        self.database = database
        self.environment = environment
        self.user = user
        self.password = password
        self.settings = settings
    }

    /// `host:port`, as approvals and the audit log name it.
    public var location: String { "\(host):\(port)" }

    /// The password, read now (nil when none is configured). Throws naming the file or variable.
    public func resolvePassword(environment variables: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        switch password {
        case .none: return nil
        case .environment(let name):
            guard let value = variables[name], !value.isEmpty else {
                throw UpstreamError("upstream '\(self.name)': the environment variable \(name) that holds its password is not set")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw UpstreamError("upstream '\(self.name)': cannot read its password file \(path)")
            }
            let password = text.trimmingCharacters(in: .newlines)
            guard !password.isEmpty else { throw UpstreamError("upstream '\(self.name)': its password file \(path) is empty") }
            return password
        }
    }
}

/// A problem with the upstreams file or an upstream, in words that say what to fix.
public struct UpstreamError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `$AIRLOCK_HOME/upstreams.yaml`: every database the proxy may front.
public enum UpstreamsFile {
    public static func path(home: String) -> String { home + "/upstreams.yaml" }

    static let keys: Set<String> = [
        "name", "host", "port", "database", "environment", "user", "password_file", "password_env", "tls", "tls_ca_file", "statement_timeout", "lock_timeout",
    ]

    /// Reads and checks the file. Unknown keys, missing fields and environments the policy does
    /// not define are errors (a typo must not silently change where statements are judged).
    public static func load(home: String, knownEnvironments: Set<String>) throws -> [Upstream] {
        let path = path(home: home)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UpstreamError("cannot read \(path): declare the databases the proxy fronts there (see docs/postgres-proxy.md)")
        }
        return try parse(text, source: path, home: home, knownEnvironments: knownEnvironments)
    }

    public static func parse(_ text: String, source: String, home: String, knownEnvironments: Set<String>) throws -> [Upstream] {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw UpstreamError("\(source) is not valid YAML: \(error)") }
        guard let top = root as? [String: Any], let list = top["upstreams"] as? [Any] else {
            throw UpstreamError("\(source): expected a top-level 'upstreams:' list")
        }
        if let extra = top.keys.first(where: { $0 != "upstreams" }) { throw UpstreamError("\(source): unknown key '\(extra)'") }
        var upstreams: [Upstream] = []
        for (position, item) in list.enumerated() {
            let what = "\(source): upstream \(position + 1)"
            guard let fields = item as? [String: Any] else { throw UpstreamError("\(what) is not a mapping") }
            if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
                throw UpstreamError("\(what): unknown key '\(unknown)' (known: \(keys.sorted().joined(separator: ", ")))")
            }
            func string(_ key: String, required: Bool = true) throws -> String? {
                guard let value = fields[key] else {
                    if required { throw UpstreamError("\(what): '\(key)' is missing") }
                    return nil
                }
                if let text = value as? String, !text.isEmpty { return text }
                if let number = value as? Int { return String(number) }
                throw UpstreamError("\(what): '\(key)' must be a non-empty string")
            }
            let name = try string("name") ?? ""
            let named = "\(source): upstream '\(name)'"
            let portText = try string("port", required: false) ?? "5432"
            guard let port = Int(portText), (1...65535).contains(port) else { throw UpstreamError("\(named): port '\(portText)' is not a TCP port") }
            let environment = try string("environment") ?? ""
            guard knownEnvironments.contains(environment) else {
                throw UpstreamError("\(named): environment '\(environment)' is not one the policy defines (\(knownEnvironments.sorted().joined(separator: ", ")))")
            }
            var tls = Upstream.TLSMode.disable
            if let text = try string("tls", required: false) {
                // libpq's prefer and allow fall back to the clear when the server says no: a
                // man in the middle says no. Not offered, so the file says what it gets.
                guard let mode = Upstream.TLSMode(rawValue: text) else {
                    throw UpstreamError("\(named): tls '\(text)' is not one of \(Upstream.TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            }
            var caFile: String?
            if let file = try string("tls_ca_file", required: false) { caFile = file.hasPrefix("/") ? file : home + "/" + file }
            if tls.verifiesCertificate, caFile == nil {
                throw UpstreamError("\(named): tls \(tls.rawValue) checks the server's certificate and needs tls_ca_file: the CA certificate(s) it must chain to (PEM)")
            }
            if !tls.verifiesCertificate, caFile != nil {
                // A CA file with require would look like verification and be none.
                throw UpstreamError("\(named): tls_ca_file is only used with tls: verify-ca or verify-full (tls is \(tls.rawValue)); set one of those, or remove tls_ca_file")
            }
            var credential = Upstream.Credential.none
            let file = try string("password_file", required: false), variable = try string("password_env", required: false)
            if file != nil && variable != nil { throw UpstreamError("\(named): give password_file or password_env, not both") }
            if let file { credential = .file(file.hasPrefix("/") ? file : home + "/" + file) }
            if let variable { credential = .environment(variable) }
            var settings: [String: String] = [:]
            for key in ["statement_timeout", "lock_timeout"] {
                if let value = try string(key, required: false) {
                    guard value.range(of: #"^[0-9]+(ms|s|min|h)?$"#, options: .regularExpression) != nil else {
                        throw UpstreamError("\(named): \(key) '\(value)' is not a duration such as 30s, 500ms or 2min")
                    }
                    settings[key] = value
                }
            }
            guard !upstreams.contains(where: { $0.name == name }) else { throw UpstreamError("\(named) is declared twice") }
            upstreams.append(Upstream(
                name: name, host: try string("host") ?? "", port: port, database: try string("database") ?? "", environment: environment,
                user: try string("user") ?? "", password: credential, settings: settings, tls: tls, tlsCAFile: caFile))
        }
        return upstreams
    }
}
