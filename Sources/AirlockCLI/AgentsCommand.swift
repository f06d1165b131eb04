import AirlockPostgresProxy
import AirlockRuntime
import ArgumentParser

/// `airlock agents …`: the identities agents log in to Airlock's proxies with. Each agent gets
/// its own token, so the audit log says which agent ran a statement, and revoking one agent
/// touches no other and no database credential.
struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Issue, list and revoke the tokens agents log in to Airlock's proxies with.",
        discussion: """
            Agents never hold database credentials. Each agent connects to Airlock's PostgreSQL \
            proxy (airlock proxy postgres) with its name as the user and its Airlock token as \
            the password; the proxy checks the token with SCRAM-SHA-256 and logs in upstream \
            with credentials only Airlock can read (docs/postgres-proxy.md).

            Tokens are shown once, by 'add'. Airlock keeps only a SCRAM verifier of each in \
            $AIRLOCK_HOME/agents.json (mode 0600), so a lost token cannot be shown again: issue \
            a new one with 'add NAME --replace'. A file that is not in the expected format is \
            an error, never read as "no agents".

            Agents must not run add or remove (the built-in policy denies them, as it denies \
            every change to Airlock's controls); list only reads.

            Examples:
              airlock agents add claude
              airlock agents add ci-bot --format json
              airlock agents list
              airlock agents remove claude
            """,
        subcommands: [AgentsAddCommand.self, AgentsListCommand.self, AgentsRemoveCommand.self])
}

/// Where the registry lives, found as every other verb finds `$AIRLOCK_HOME`.
enum AgentsLocation {
    static var home: String {
        let environment = ProcessFacts.environment()
        return AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
    }

    /// Agents' shells set these; a token minted there would be an identity the agent chose
    /// for itself. The policy is what stops it; this catches the agent that got past it by
    /// calling airlock-cli some way the hooks did not see.
    static func refuseAgents(_ verb: String) throws {
        let environment = ProcessFacts.environment()
        if let marker = HumanPresence.agentMarkers.first(where: { environment[$0].map { !$0.isEmpty } ?? false }) {
            throw CLIError("refusing to \(verb) an agent: this shell belongs to an agent (\(marker) is set). A person must run 'airlock agents \(verb)' in their own shell")
        }
    }
}

/// A name that breaks the registry's rule is a usage error (64), explained.
func validateAgentName(_ name: String) throws {
    guard AgentRegistry.isValidName(name) else { throw ValidationError("invalid agent name \"\(name)\": \(AgentRegistry.nameRule)") }
}

struct AgentsAddCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Issue a token for an agent and print it, once.",
        discussion: """
            Creates the agent NAME with a new random token (alk_ followed by 43 characters: \
            256 random bits) and prints it. Give it to the agent as its PostgreSQL password, \
            with NAME as the user:

              PGPASSWORD=<token> psql -h 127.0.0.1 -p 6432 -U NAME DBNAME

            Airlock does not keep the token, only a SCRAM-SHA-256 verifier of it, so this is \
            the only time it is shown. NAME is 1 to 63 characters of letters, digits, '.', '_' \
            and '-', not starting with '-'; names differing only in case count as the same.

            --replace issues a new token for an existing agent: its old token stops working. \
            With --format json, prints {"name": NAME, "token": TOKEN} for scripts that hand \
            the token to an agent's secret store.

            Exit codes: 0 issued, 1 failed (the agent exists without --replace, the registry \
            cannot be read or written; the message says what to do), 64 usage error (e.g. an \
            invalid name).

            Examples:
              airlock agents add claude
              airlock agents add claude --replace
              airlock agents add ci-bot --format json | jq -r .token
            """)

    @Argument(help: ArgumentHelp("The agent's name: the PostgreSQL user it logs in as.", valueName: "name"))
    var name: String

    @Flag(help: "Give an existing agent a new token; its old one stops working.")
    var replace = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws { try validateAgentName(name) }

    func run() throws {
        try AgentsLocation.refuseAgents("add")
        let home = AgentsLocation.home
        let token: String
        do {
            token = try AgentRegistry.modify(home: home) { registry throws(AgentRegistry.Failure) in
                try registry.add(name: name, replace: replace)
            }
        } catch {
            throw CLIError(error.description)
        }
        switch format {
        case .json:
            Console.out(JSON.object(["name": .string(name), "token": .string(token)]).text)
        case .text:
            Console.out("""
                token for agent \(name):

                  \(token)

                Give it to the agent as its PostgreSQL password, with \(name) as the user, e.g.:
                  PGPASSWORD=\(token) psql -h 127.0.0.1 -p 6432 -U \(name) DBNAME

                Airlock does not keep this token (only a verifier of it, in \(AgentRegistry.path(home: home))): \
                it cannot be shown again. If it is lost, issue a new one with 'airlock agents add \(name) --replace'.
                """)
        }
    }
}

struct AgentsListCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the agents that have a token, with when it was issued.",
        discussion: """
            One line per agent: its name and when its current token was issued (UTC). Tokens \
            are not stored, so they are never listed. With --format json: \
            {"agents": [{"name": …, "created": …}, …]}.

            Exit codes: 0 listed (also when there are none), 1 the registry cannot be read \
            (the message names the file and the problem), 64 usage error.
            """)

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let registry: AgentRegistry
        do {
            registry = try AgentRegistry.load(home: AgentsLocation.home)
        } catch {
            throw CLIError(error.description)
        }
        switch format {
        case .json:
            let agents = registry.agents.map { JSON.object(["name": .string($0.name), "created": .string($0.created)]) }
            Console.out(JSON.object(["agents": .array(agents)]).text)
        case .text:
            guard !registry.agents.isEmpty else {
                Console.out("no agents yet; issue a token with 'airlock agents add NAME'")
                return
            }
            let width = registry.agents.map(\.name.count).max() ?? 0
            var out = ""
            for agent in registry.agents {
                out += agent.name + String(repeating: " ", count: width - agent.name.count) + "  issued " + agent.created + "\n"
            }
            Console.out(out)
        }
    }
}

struct AgentsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Revoke an agent's token.",
        discussion: """
            Deletes the agent NAME and the verifier of its token from $AIRLOCK_HOME/agents.json: \
            its token no longer logs in to Airlock's proxies.

            Exit codes: 0 removed, 1 failed (no such agent, the registry cannot be read or \
            written), 64 usage error.

            Example:
              airlock agents remove claude
            """)

    @Argument(help: ArgumentHelp("The agent to remove.", valueName: "name"))
    var name: String

    func validate() throws { try validateAgentName(name) }

    func run() throws {
        try AgentsLocation.refuseAgents("remove")
        do {
            try AgentRegistry.modify(home: AgentsLocation.home) { registry throws(AgentRegistry.Failure) in
                try registry.remove(name: name)
            }
        } catch {
            throw CLIError(error.description)
        }
        Console.out("removed agent \(name): its token no longer logs in")
    }
}
