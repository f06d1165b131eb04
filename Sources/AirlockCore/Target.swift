/// Where a command acts. The policy maps targets to environments.
public struct Target: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// A network host (database server, SSH host, URL host).
        case host
        /// A Unix-domain socket directory or a local database file.
        case socket
        /// A Kubernetes context.
        case kubeContext = "kube_context"
        /// An AWS profile.
        case awsProfile = "aws_profile"
        /// A Terraform/OpenTofu workspace or Pulumi stack.
        case workspace
        /// A cloud project, subscription, app or deployment environment (gcloud, az, fly,
        /// heroku, railway, vercel), or an application environment (`RAILS_ENV`).
        case project
        /// A git remote (name or URL).
        case gitRemote = "git_remote"
        /// A Docker daemon or context.
        case dockerHost = "docker_host"
        /// An MCP server, by the name the agent host gives it (`postgres-prod`). No pattern
        /// list claims it: environments place it by their `labels`.
        case mcpServer = "mcp_server"
    }

    public var kind: Kind
    public var value: String
    /// Where the target came from (`-h flag`, `PGHOST`, `.env`, `kubeconfig`), for explanations.
    public var source: String

    public init(_ kind: Kind, _ value: String, source: String) {
        self.kind = kind
        self.value = value
        self.source = source
    }

    public var description: String { "\(kind.rawValue) \(value)" }
}

/// A path a command reads or writes, normalised to an absolute path (or kept as a pattern
/// when it contains globs; `dynamic` when part of it is only known at run time).
public struct PathAccess: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, Codable { case read, write }
    public var path: String
    public var mode: Mode
    public var dynamic: Bool

    public init(_ path: String, _ mode: Mode, dynamic: Bool = false) {
        self.path = path
        self.mode = mode
        self.dynamic = dynamic
    }
}
