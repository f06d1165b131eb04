import Foundation

/// An AIRLOCK_HOME of a test's own, removed with the object: where the proxy reads
/// `upstreams.yaml` (docs/postgres-proxy.md), the upstreams' password files and `agents.json`.
final class TemporaryAirlockHome: Sendable {
    /// One entry of `upstreams.yaml`.
    struct Upstream: Sendable {
        var name: String
        var host: String
        var port: Int
        var database: String
        var environment: String
        var user: String
        /// Written to `secrets/<name>.password` (mode 0600) and named by `password_file`.
        var password: String?
        /// Named by `password_env`: the proxy reads the password from that variable.
        var passwordEnv: String?
        /// `tls:` and `tls_ca_file:` (omitted when nil).
        var tls: String?
        var tlsCAFile: String?

        init(
            name: String, host: String = "127.0.0.1", port: Int, database: String = "postgres", environment: String = "development",
            user: String = "postgres", password: String? = nil, passwordEnv: String? = nil
        ) {
            self.name = name
            self.host = host
            self.port = port
            self.database = database
            self.environment = environment
            self.user = user
            self.password = password
            self.passwordEnv = passwordEnv
        }

        /// An upstream pointing at `server` over TCP.
        init(
            name: String, server: PostgresServer, database: String = "postgres", environment: String = "development", user: String = "postgres",
            password: String? = nil, passwordEnv: String? = nil
        ) {
            self.init(
                name: name, host: server.host, port: server.port, database: database, environment: environment, user: user, password: password,
                passwordEnv: passwordEnv)
        }
    }

    let path: String
    var url: URL { URL(fileURLWithPath: path, isDirectory: true) }
    /// `["AIRLOCK_HOME": path]`, for a child process's environment.
    var environment: [String: String] { ["AIRLOCK_HOME": path] }

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-home-\(UUID().uuidString)").path
        // 0700 like a real home: it holds passwords and agent verifiers.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `relative` under the home, creating directories.
    func write(_ relative: String, _ text: String, permissions: Int = 0o644) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: permissions]) else {
            throw PostgresServerError("cannot write \(file)")
        }
    }

    /// Writes `upstreams.yaml` declaring exactly `upstreams`, and their password files.
    func writeUpstreams(_ upstreams: [Upstream]) throws {
        var yaml = "upstreams:\n"
        for upstream in upstreams {
            yaml += "  - name: \(yamlString(upstream.name))\n"
            yaml += "    host: \(yamlString(upstream.host))\n"
            yaml += "    port: \(upstream.port)\n"
            yaml += "    database: \(yamlString(upstream.database))\n"
            yaml += "    environment: \(yamlString(upstream.environment))\n"
            yaml += "    user: \(yamlString(upstream.user))\n"
            if let password = upstream.password {
                let file = "secrets/\(upstream.name).password"
                try write(file, password, permissions: 0o600)
                yaml += "    password_file: \(yamlString(file))\n"
            }
            if let variable = upstream.passwordEnv { yaml += "    password_env: \(yamlString(variable))\n" }
            if let tls = upstream.tls { yaml += "    tls: \(yamlString(tls))\n" }
            if let file = upstream.tlsCAFile { yaml += "    tls_ca_file: \(yamlString(file))\n" }
        }
        try write("upstreams.yaml", yaml)
    }

    /// The text of a file under the home (nil if absent).
    func read(_ relative: String) -> String? { try? String(contentsOfFile: path + "/" + relative, encoding: .utf8) }
}

/// A YAML double-quoted scalar: JSON's string escapes are valid YAML (all but `\/`, which
/// YAML 1.1 parsers may reject, hence no slash escaping).
private func yamlString(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    let data = try! encoder.encode(text)
    return String(decoding: data, as: UTF8.self)
}
