import PostgresNIO
import Testing

/// A real driver speaking the extended protocol (postgres-nio: Parse, Bind, Describe, Execute,
/// Sync for every query) through the proxy, as an agent's program would.
@Suite(.serialized) struct DriverTests {
    @Test func postgresNIOQueriesWithParametersAndSurvivesARefusal() async throws {
        let fixture = try ProxyFixture(environment: "production")
        try await fixture.server.psql("CREATE TABLE users (id int, name text); INSERT INTO users VALUES (1, 'ada'), (2, 'grace')")
        let logger = Logger(label: "airlock-tests")
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: "127.0.0.1", port: fixture.port, username: fixture.agent, password: fixture.token, database: "postgres", tls: .disable),
            id: 1, logger: logger)
        let id = 2
        let rows = try await connection.query("SELECT name FROM users WHERE id = \(id)", logger: logger).collect()
        #expect(try rows.map { try $0.decode(String.self) } == ["grace"])

        do {
            _ = try await connection.query("DROP TABLE users", logger: logger).collect()
            Issue.record("DROP TABLE went through")
        } catch let error as PSQLError {
            #expect(error.serverInfo?[.sqlState] == "42501")
            #expect(error.serverInfo?[.message]?.contains("Airlock denied") == true)
        }
        // The same connection goes on: the refusal left it as a server's refusal would.
        let count = try await connection.query("SELECT count(*)::int FROM users", logger: logger).collect()
        #expect(try count.map { try $0.decode(Int.self) } == [2])
        try await connection.close()
    }
}
