/// The word lists the lexical SQL classifier consults: keywords that are never names, built-in
/// functions known to be free of side effects, session settings that are harmless to change,
/// and SQLite pragmas that only read. Everything not listed is treated as dangerous.
enum SQLWords {
    /// Keywords that end a table name or cannot be an alias. Deliberately short of the full
    /// reserved lists: a table called `status` or `user` is still recognised as a name.
    static let structural: Set<String> = [
        "ADD", "AFTER", "AGAINST", "ALL", "ALTER", "AND", "ANY", "AS", "ASC", "BEFORE", "BEGIN", "BETWEEN", "BY",
        "CASCADE", "CASE", "CHANGE", "CHARACTER", "CHARSET", "CHECK", "COLLATE", "COLUMN", "COMMENT", "CONFLICT",
        "CONSTRAINT", "CONVERT", "CREATE", "CROSS", "DEFAULT", "DEFINER", "DELETE", "DESC", "DISABLE", "DISCARD",
        "DISTINCT", "DO", "DROP", "DUMPFILE", "EACH", "ELSE", "ENABLE", "END", "ENGINE", "ESCAPE", "EXCEPT", "EXISTS",
        "FALSE", "FIELDS", "FOLLOWS", "FOR", "FORCE", "FOREIGN", "FROM", "FULL", "GROUP", "HAVING", "HIGH_PRIORITY",
        "IF", "IGNORE", "IMPORT", "IN", "INDEX", "INDEXED", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "KEY",
        "LATERAL", "LEFT", "LIKE", "LIMIT", "LINES", "LOCAL", "LOCK", "LOW_PRIORITY", "MODIFY", "NATURAL", "NOT",
        "NOWAIT", "NULL", "OF", "OFFSET", "ON", "OR", "ORDER", "OUTER", "OUTFILE", "OVER", "PARTITION", "PRECEDES",
        "PRIMARY", "PROCEDURE", "READ", "RECURSIVE", "REFERENCES", "REGEXP", "RENAME", "REPLACE", "RESTRICT",
        "RETURNING", "RIGHT", "RLIKE", "ROW", "ROWS", "SELECT", "SET", "SHARE", "STRAIGHT_JOIN", "TABLE", "THEN", "TO",
        "TRUE", "UNION", "UNIQUE", "UPDATE", "USE", "USING", "VALUE", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
        "WITHOUT", "WRITE", "XOR",
    ]

    /// Keywords that may be followed by `(` without calling a function.
    static let notFunctions: Set<String> = [
        "AGAINST", "ALL", "AND", "ANY", "AS", "BETWEEN", "BY", "CASE", "CHECK", "COLUMNS", "CONSTRAINT", "DEFAULT",
        "DISTINCT", "ELSE", "EXCEPT", "EXISTS", "FILTER", "FOREIGN", "FROM", "GROUP", "HASH", "HAVING", "IN", "INDEX",
        "INTERSECT", "INTO", "IS", "JOIN", "KEY", "LESS", "LIKE", "LIMIT", "LINEAR", "LIST", "MAXVALUE", "NOT", "OFFSET",
        "ON", "OR", "ORDER", "OVER", "PARTITION", "PRIMARY", "RANGE", "RECURSIVE", "REFERENCES", "RETURNING", "RETURNS",
        "ROW", "SELECT", "SET", "SOME", "SUBPARTITION", "TABLE", "THAN", "THEN", "UNION", "UNIQUE", "USING", "VALUE",
        "VALUES", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN", "XOR", "ALWAYS", "STORED", "VIRTUAL", "GENERATED",
        "LATERAL", "MATERIALIZED", "FULLTEXT", "SPATIAL", "COLLATE", "ESCAPE", "WHILE", "UNTIL", "RETURN", "ELSEIF",
        "CONFLICT", "OF", "REGEXP", "RLIKE", "DIV", "GLOB", "DO", "STRAIGHT_JOIN", "DISTINCTROW", "ROWS", "GROUPS",
    ]

    /// Column types, whose parentheses hold lengths rather than arguments.
    static let typeNames: Set<String> = [
        "BIGINT", "BIT", "BLOB", "BOOL", "BOOLEAN", "DATETIME", "DEC", "DECIMAL", "DOUBLE", "ENUM", "FIXED", "FLOAT",
        "INT", "INTEGER", "LONGBLOB", "LONGTEXT", "MEDIUMBLOB", "MEDIUMINT", "MEDIUMTEXT", "NCHAR", "NUMERIC",
        "NVARCHAR", "REAL", "SMALLINT", "TEXT", "TINYBLOB", "TINYINT", "TINYTEXT", "VARBINARY", "VARCHAR", "VARYING",
        "NATIONAL", "PRECISION", "UNSIGNED", "SIGNED", "ZEROFILL", "SERIAL", "GEOMETRY", "LINESTRING", "POLYGON",
        "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION", "VECTOR", "INT1", "INT2", "INT3",
        "INT4", "INT8", "FLOAT4", "FLOAT8", "MIDDLEINT", "LONG",
    ]

    /// Built-in functions (MySQL/MariaDB and SQLite) that only compute a value: no file, no
    /// network, no lock, no sleep, no change to the database. Any other function call makes a
    /// statement `privileged`.
    static let pureFunctions: Set<String> = [
        // Aggregates and window functions
        "count", "sum", "avg", "min", "max", "group_concat", "total", "bit_and", "bit_or", "bit_xor", "std", "stddev",
        "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance", "json_arrayagg", "json_objectagg",
        "string_agg", "any_value", "grouping", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
        "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
        // Control flow
        "coalesce", "ifnull", "nullif", "if", "iif", "isnull", "greatest", "least", "interval",
        // Strings
        "concat", "concat_ws", "lower", "upper", "lcase", "ucase", "length", "char_length", "character_length",
        "octet_length", "bit_length", "substr", "substring", "substring_index", "mid", "left", "right", "trim", "ltrim",
        "rtrim", "lpad", "rpad", "replace", "reverse", "repeat", "instr", "locate", "position", "field", "find_in_set",
        "format", "hex", "unhex", "quote", "space", "strcmp", "ascii", "ord", "char", "soundex", "elt", "insert",
        "printf", "unicode", "glob", "like", "regexp_like", "regexp_replace", "regexp_instr", "regexp_substr",
        "md5", "sha", "sha1", "sha2", "crc32", "to_base64", "from_base64", "export_set", "make_set", "char_length",
        "weight_string", "match", "collation", "charset", "coercibility", "binary", "point",
        // Numbers
        "abs", "round", "ceil", "ceiling", "floor", "mod", "pow", "power", "sqrt", "exp", "ln", "log", "log10", "log2",
        "sign", "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "cot", "degrees", "radians", "truncate",
        "conv", "bin", "oct", "rand", "random", "randomblob", "zeroblob", "trunc", "div",
        // Dates and times
        "now", "curdate", "current_date", "curtime", "current_time", "current_timestamp", "sysdate", "utc_date",
        "utc_time", "utc_timestamp", "localtime", "localtimestamp", "date", "time", "datetime", "timestamp", "year",
        "month", "day", "dayofmonth", "dayofweek", "dayofyear", "dayname", "monthname", "hour", "minute", "second",
        "microsecond", "week", "weekday", "weekofyear", "yearweek", "quarter", "last_day", "makedate", "maketime",
        "from_unixtime", "unix_timestamp", "timestampadd", "timestampdiff", "extract", "convert_tz", "to_days",
        "from_days", "to_seconds", "sec_to_time", "time_to_sec", "time_format", "period_add", "period_diff",
        "get_format", "date_add", "date_sub", "adddate", "subdate", "addtime", "subtime", "datediff", "timediff",
        "date_format", "str_to_date", "julianday", "unixepoch", "strftime",
        // Types
        "cast", "convert", "typeof",
        // JSON (values in, values out)
        "json", "json_extract", "json_unquote", "json_object", "json_array", "json_contains", "json_contains_path",
        "json_keys", "json_length", "json_type", "json_valid", "json_quote", "json_search", "json_set", "json_insert",
        "json_replace", "json_remove", "json_merge", "json_merge_patch", "json_merge_preserve", "json_pretty",
        "json_depth", "json_overlaps", "json_value", "json_table", "json_each", "json_tree", "json_group_array",
        "json_group_object", "json_patch", "json_array_length", "json_array_append", "json_array_insert",
        "json_storage_size", "member_of", "jsonb", "jsonb_extract", "jsonb_object", "jsonb_array",
        // Information about the session
        "database", "schema", "version", "user", "current_user", "session_user", "system_user", "connection_id",
        "last_insert_id", "found_rows", "row_count", "changes", "total_changes", "last_insert_rowid",
        "sqlite_version", "sqlite_source_id", "sqlite_compileoption_used", "sqlite_compileoption_get",
        // Networks and identifiers
        "inet_aton", "inet_ntoa", "inet6_aton", "inet6_ntoa", "is_ipv4", "is_ipv6", "uuid", "uuid_short",
        "bin_to_uuid", "uuid_to_bin", "is_uuid",
        // SQLite
        "likelihood", "likely", "unlikely", "raise", "generate_series", "pragma_table_info", "pragma_table_xinfo",
        "pragma_index_list", "pragma_index_info", "pragma_index_xinfo", "pragma_foreign_key_list",
        "pragma_database_list", "pragma_collation_list", "pragma_function_list", "pragma_module_list",
        "pragma_pragma_list", "pragma_compile_options", "pragma_table_list",
    ]

    /// Column-type words that are also pure functions: `char(77)`, `date(x)`.
    static let typeOrFunction: Set<String> = ["CHAR", "DATE", "TIME", "TIMESTAMP", "YEAR", "POINT", "BINARY", "JSON"]

    /// Why some functions outside the allow-list are dangerous, for reasons.
    static let functionReasons: [String: String] = [
        "load_file": "LOAD_FILE() reads a file on the database server",
        "load_extension": "load_extension() loads native code into the database process",
        "sleep": "SLEEP() ties up a connection",
        "benchmark": "BENCHMARK() ties up the server",
        "get_lock": "GET_LOCK() takes a named lock",
        "release_lock": "RELEASE_LOCK() releases a named lock",
        "readfile": "readfile() reads a local file",
        "writefile": "writefile() writes a local file",
        "edit": "edit() starts an editor",
        "fts3_tokenizer": "fts3_tokenizer() can register native code",
        "sys_exec": "sys_exec() runs a shell command",
        "sys_eval": "sys_eval() runs a shell command",
    ]

    /// MySQL settings a session may change without affecting anyone else or weakening a check.
    /// `sql_mode`, `foreign_key_checks`, `unique_checks`, `sql_log_bin` and `sql_safe_updates`
    /// are deliberately absent.
    static let sessionVariables: Set<String> = [
        "autocommit", "time_zone", "character_set_client", "character_set_connection", "character_set_results",
        "collation_connection", "max_execution_time", "net_read_timeout", "net_write_timeout", "wait_timeout",
        "interactive_timeout", "transaction_isolation", "tx_isolation", "transaction_read_only", "tx_read_only",
        "lock_wait_timeout", "innodb_lock_wait_timeout", "group_concat_max_len", "sql_select_limit", "lc_time_names",
        "div_precision_increment", "cte_max_recursion_depth", "profiling", "profiling_history_size",
        "sql_quote_show_create", "sql_notes", "sql_warnings", "default_week_format", "max_sort_length",
        "names", "character set", "charset",
    ]

    static let variableReasons: [String: String] = [
        "foreign_key_checks": "SET foreign_key_checks turns off foreign key checks",
        "unique_checks": "SET unique_checks turns off unique checks",
        "sql_log_bin": "SET sql_log_bin hides changes from the binary log and replicas",
        "sql_safe_updates": "SET sql_safe_updates changes the guard against unrestricted UPDATE and DELETE",
        "sql_mode": "SET sql_mode changes how the server reads SQL, including quotes and escapes",
    ]

    /// SQLite pragmas that only report, when given no value.
    static let readPragmas: Set<String> = [
        "application_id", "auto_vacuum", "automatic_index", "busy_timeout", "cache_size", "cache_spill",
        "cell_size_check", "checkpoint_fullfsync", "collation_list", "compile_options", "data_version",
        "database_list", "defer_foreign_keys", "encoding", "foreign_keys", "freelist_count", "fullfsync",
        "function_list", "hard_heap_limit", "ignore_check_constraints", "journal_mode", "journal_size_limit",
        "legacy_alter_table", "locking_mode", "max_page_count", "mmap_size", "module_list", "page_count", "page_size",
        "pragma_list", "query_only", "read_uncommitted", "recursive_triggers", "reverse_unordered_selects",
        "schema_version", "secure_delete", "soft_heap_limit", "synchronous", "temp_store", "threads",
        "trusted_schema", "user_version", "wal_autocheckpoint", "analysis_limit",
    ]

    /// SQLite pragmas whose argument names what to report on rather than setting anything.
    static let argumentPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "foreign_key_check", "integrity_check", "quick_check",
    ]

    /// SQLite virtual-table modules that keep their data in the database.
    static let safeModules: Set<String> = ["fts3", "fts4", "fts5", "rtree", "rtree_i32", "geopoly"]
}
