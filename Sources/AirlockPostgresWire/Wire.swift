/// PostgreSQL's frontend/backend protocol, version 3.0, as values (see the message files).
public enum PostgresWire {
    /// Protocol 3.0, as a StartupMessage carries it.
    public static let protocolVersion: Int32 = 196_608
}
