/// What each kind of PostgreSQL parse node does by itself, before its contents are walked, and
/// the command tag it reports. Nodes that need a closer look (SELECT INTO, UPDATE without WHERE,
/// ALTER TABLE's subcommands, SET's parameter) are handled by the walker; a node type missing
/// from here and from the walker is `privileged`: an unknown statement fails closed.
enum PostgresNodes {
    static let fixed: [String: (SQLClass, String)] = {
        var table: [String: (SQLClass, String)] = [:]
        for name in ["ListenStmt", "UnlistenStmt", "NotifyStmt", "DiscardStmt", "DeallocateStmt", "ClosePortalStmt", "ConstraintsSetStmt"] {
            table[name] = (.session, "session control")
        }
        for name in ["VariableShowStmt", "FetchStmt", "DeclareCursorStmt"] {
            table[name] = (.read, "reads")
        }
        for name in [
            "CreateStmt", "CreateTableAsStmt", "ViewStmt", "IndexStmt", "CreateSeqStmt", "AlterSeqStmt", "CreateSchemaStmt",
            "CompositeTypeStmt", "CreateEnumStmt", "AlterEnumStmt", "CreateRangeStmt", "CreateDomainStmt", "AlterDomainStmt",
            "CommentStmt", "VacuumStmt", "ClusterStmt", "LockStmt", "ReindexStmt", "AlterObjectSchemaStmt", "CreatedbStmt",
            "CreateStatsStmt", "AlterStatsStmt", "DefineStmt", "CreateOpClassStmt", "CreateOpFamilyStmt", "AlterOpFamilyStmt",
            "AlterTSConfigurationStmt", "AlterTSDictionaryStmt", "CreateForeignTableStmt", "RefreshMatViewStmt",
            "AlterTableMoveAllStmt", "AlterObjectDependsStmt", "AlterTypeStmt", "AlterCollationStmt", "CreateConversionStmt",
            "AlterOperatorStmt", "CreateTrigStmt", "RuleStmt", "CreateFunctionStmt", "AlterTableStmt", "RenameStmt",
        ] {
            table[name] = (.ddl, "changes the schema")
        }
        table["VacuumStmt"] = (.ddl, "VACUUM/ANALYZE takes locks and rewrites storage (availability)")
        table["ClusterStmt"] = (.ddl, "CLUSTER rewrites a table under an exclusive lock (availability)")
        table["LockStmt"] = (.ddl, "LOCK blocks other sessions (availability)")
        table["ReindexStmt"] = (.ddl, "REINDEX rebuilds indexes under locks (availability)")
        table["RefreshMatViewStmt"] = (.ddl, "REFRESH MATERIALIZED VIEW rewrites its contents")
        for name in ["DropStmt", "DropdbStmt", "TruncateStmt", "DropOwnedStmt", "DropRoleStmt", "DropTableSpaceStmt", "DropSubscriptionStmt", "DropUserMappingStmt"] {
            table[name] = (.destructive, "deletes objects or data")
        }
        table["TruncateStmt"] = (.destructive, "TRUNCATE deletes every row")
        table["DropdbStmt"] = (.destructive, "DROP DATABASE deletes a whole database")
        table["DropOwnedStmt"] = (.destructive, "DROP OWNED deletes everything a role owns")
        for (name, reason) in [
            ("DoStmt", "a DO block runs procedural code whose effect cannot be known from its text"),
            ("CallStmt", "CALL runs a procedure whose effect cannot be known from the text"),
            ("GrantStmt", "GRANT/REVOKE changes privileges"), ("GrantRoleStmt", "grants or revokes role membership"),
            ("CreateRoleStmt", "creates a role"), ("AlterRoleStmt", "changes a role's attributes"),
            ("AlterRoleSetStmt", "changes a role's settings"), ("AlterSystemStmt", "ALTER SYSTEM changes the server's configuration"),
            ("AlterDefaultPrivilegesStmt", "changes default privileges"), ("AlterOwnerStmt", "changes an object's owner"),
            ("CreateExtensionStmt", "an extension installs code that runs inside the server"),
            ("AlterExtensionStmt", "changes an extension"), ("AlterExtensionContentsStmt", "changes an extension"),
            ("LoadStmt", "LOAD loads a shared library into the server"),
            ("CreateEventTrigStmt", "event triggers run code on every DDL"), ("AlterEventTrigStmt", "changes an event trigger"),
            ("CreatePolicyStmt", "row-level security policies decide who sees what"), ("AlterPolicyStmt", "changes a row-level security policy"),
            ("CreateFdwStmt", "a foreign-data wrapper reaches other systems"), ("AlterFdwStmt", "changes a foreign-data wrapper"),
            ("CreateForeignServerStmt", "defines a foreign server"), ("AlterForeignServerStmt", "changes a foreign server"),
            ("CreateUserMappingStmt", "stores credentials for a foreign server"), ("AlterUserMappingStmt", "changes foreign credentials"),
            ("ImportForeignSchemaStmt", "imports a foreign schema"), ("CreatePublicationStmt", "publishes data for replication"),
            ("AlterPublicationStmt", "changes a publication"), ("CreateSubscriptionStmt", "subscribes to another server's data"),
            ("AlterSubscriptionStmt", "changes a subscription"), ("CreateTableSpaceStmt", "creates a tablespace on the server's disk"),
            ("AlterTableSpaceOptionsStmt", "changes a tablespace"), ("AlterDatabaseStmt", "changes a database"),
            ("AlterDatabaseSetStmt", "changes a database's settings"), ("AlterDatabaseRefreshCollStmt", "changes a database's collation version"),
            ("CheckPointStmt", "CHECKPOINT forces I/O across the server"), ("ReassignOwnedStmt", "reassigns everything a role owns"),
            ("SecLabelStmt", "changes a security label"), ("CreatePLangStmt", "installs a procedural language"),
            ("CreateCastStmt", "a cast can run a function implicitly"), ("CreateTransformStmt", "defines a transform"),
            ("CreateAmStmt", "installs an access method"), ("AlterFunctionStmt", "changes a function (SECURITY DEFINER, owner, settings)"),
            ("AlterSystemStmt", "ALTER SYSTEM changes the server's configuration"),
        ] {
            table[name] = (.privileged, reason)
        }
        return table
    }()

    /// Command tags for node types whose tag is not their name spelled out.
    static let tags: [String: String] = [
        "SelectStmt": "SELECT", "InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE",
        "TruncateStmt": "TRUNCATE", "CopyStmt": "COPY", "ExplainStmt": "EXPLAIN", "VariableSetStmt": "SET",
        "VariableShowStmt": "SHOW", "DoStmt": "DO", "CallStmt": "CALL", "PrepareStmt": "PREPARE", "ExecuteStmt": "EXECUTE",
        "DeallocateStmt": "DEALLOCATE", "ListenStmt": "LISTEN", "UnlistenStmt": "UNLISTEN", "NotifyStmt": "NOTIFY",
        "DiscardStmt": "DISCARD", "FetchStmt": "FETCH", "ClosePortalStmt": "CLOSE", "DeclareCursorStmt": "DECLARE CURSOR",
        "CreateStmt": "CREATE TABLE", "CreateTableAsStmt": "CREATE TABLE AS", "ViewStmt": "CREATE VIEW", "IndexStmt": "CREATE INDEX",
        "CreateSeqStmt": "CREATE SEQUENCE", "AlterSeqStmt": "ALTER SEQUENCE", "CreateSchemaStmt": "CREATE SCHEMA",
        "CompositeTypeStmt": "CREATE TYPE", "CreateEnumStmt": "CREATE TYPE", "CreateRangeStmt": "CREATE TYPE",
        "AlterEnumStmt": "ALTER TYPE", "CreateDomainStmt": "CREATE DOMAIN", "AlterDomainStmt": "ALTER DOMAIN", "CommentStmt": "COMMENT",
        "VacuumStmt": "VACUUM", "ClusterStmt": "CLUSTER", "LockStmt": "LOCK TABLE", "ReindexStmt": "REINDEX",
        "CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE", "CreateStatsStmt": "CREATE STATISTICS",
        "CreateTrigStmt": "CREATE TRIGGER", "RuleStmt": "CREATE RULE", "CreateFunctionStmt": "CREATE FUNCTION",
        "CreateExtensionStmt": "CREATE EXTENSION", "GrantRoleStmt": "GRANT ROLE", "CreateRoleStmt": "CREATE ROLE",
        "AlterRoleStmt": "ALTER ROLE", "AlterRoleSetStmt": "ALTER ROLE", "DropRoleStmt": "DROP ROLE", "AlterSystemStmt": "ALTER SYSTEM",
        "AlterDefaultPrivilegesStmt": "ALTER DEFAULT PRIVILEGES", "DropOwnedStmt": "DROP OWNED", "ReassignOwnedStmt": "REASSIGN OWNED",
        "LoadStmt": "LOAD", "CheckPointStmt": "CHECKPOINT", "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
        "CreateEventTrigStmt": "CREATE EVENT TRIGGER", "CreatePolicyStmt": "CREATE POLICY", "AlterPolicyStmt": "ALTER POLICY",
        "CreateTableSpaceStmt": "CREATE TABLESPACE", "DropTableSpaceStmt": "DROP TABLESPACE", "ConstraintsSetStmt": "SET CONSTRAINTS",
        "CreateForeignTableStmt": "CREATE FOREIGN TABLE", "CreateForeignServerStmt": "CREATE SERVER", "CreateUserMappingStmt": "CREATE USER MAPPING",
        "CreatePublicationStmt": "CREATE PUBLICATION", "CreateSubscriptionStmt": "CREATE SUBSCRIPTION", "DropSubscriptionStmt": "DROP SUBSCRIPTION",
        "DefineStmt": "CREATE", "AlterFunctionStmt": "ALTER FUNCTION", "AlterDatabaseStmt": "ALTER DATABASE",
        "AlterDatabaseSetStmt": "ALTER DATABASE", "CreatePLangStmt": "CREATE LANGUAGE", "CreateCastStmt": "CREATE CAST",
    ]

    /// `OBJECT_MATVIEW` → `MATERIALIZED VIEW`, `OBJECT_FOREIGN_TABLE` → `FOREIGN TABLE`.
    static func objectName(_ objectType: String) -> String {
        let bare = objectType.hasPrefix("OBJECT_") ? String(objectType.dropFirst(7)) : objectType
        switch bare {
        case "MATVIEW": return "MATERIALIZED VIEW"
        case "FDW": return "FOREIGN DATA WRAPPER"
        case "FOREIGN_SERVER": return "SERVER"
        case "TSCONFIGURATION": return "TEXT SEARCH CONFIGURATION"
        case "TSDICTIONARY": return "TEXT SEARCH DICTIONARY"
        case "TSPARSER": return "TEXT SEARCH PARSER"
        case "TSTEMPLATE": return "TEXT SEARCH TEMPLATE"
        case "OPCLASS": return "OPERATOR CLASS"
        case "OPFAMILY": return "OPERATOR FAMILY"
        case "EVENT_TRIGGER": return "EVENT TRIGGER"
        case "STATISTIC_EXT": return "STATISTICS"
        default: return bare.replacing("_", with: " ")
        }
    }

    /// `CreateFooStmt` → `CREATE FOO` for node types without an explicit tag.
    static func spelledOut(_ nodeName: String) -> String {
        var name = Substring(nodeName)
        if name.hasSuffix("Stmt") { name = name.dropLast(4) }
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isUppercase, !current.isEmpty, !(current.last?.isUppercase ?? false) {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.uppercased() }.joined(separator: " ")
    }
}
