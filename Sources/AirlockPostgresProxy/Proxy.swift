import AirlockPostgresWire

/// The PostgreSQL door (see the files beside this one).
public enum PostgresProxy {}
