/// `SET`/`RESET`: an allow-list of settings that only shape the session (timeouts, output
/// formats, planner knobs). Everything else is privileged: `role` and `session_authorization`
/// change who acts, `default_transaction_read_only` undoes a read-only guard,
/// `session_replication_role` switches off triggers and foreign keys, `standard_conforming_strings`
/// changes how later string literals parse (so the classifier would misread them), custom
/// `app.*` settings often feed row-level security.
enum PostgresSettings {
    static let sessionOnly: Set<String> = [
        "application_name", "client_encoding", "datestyle", "timezone", "intervalstyle", "extra_float_digits",
        "client_min_messages", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
        "idle_session_timeout", "work_mem", "maintenance_work_mem", "temp_buffers", "bytea_output", "xmloption",
        "xmlbinary", "synchronous_commit", "plan_cache_mode", "geqo", "jit", "random_page_cost", "seq_page_cost",
        "cpu_tuple_cost", "cpu_index_tuple_cost", "cpu_operator_cost", "effective_cache_size", "default_statistics_target",
        "constraint_exclusion", "cursor_tuple_fraction", "from_collapse_limit", "join_collapse_limit",
        "transaction_isolation", "default_transaction_isolation", "default_transaction_deferrable", "lc_monetary",
        "lc_numeric", "lc_time", "search_path", "timezone_abbreviations", "gin_fuzzy_search_limit",
        "max_parallel_workers_per_gather", "enable_seqscan", "track_io_timing", "vacuum_cost_delay", "default_text_search_config",
        "log_statement_sample_rate", "row_security_active", "array_nulls", "quote_all_identifiers", "trace_notify",
        "transaction_deferrable", "idle_in_transaction_timeout", "default_toast_compression", "check_function_bodies",
    ]

    static func classify(_ tree: ParseTree, _ body: Int32) -> (SQLClass, String) {
        let kind = tree.member(body, "kind").flatMap(tree.string) ?? ""
        let name = (tree.member(body, "name").flatMap(tree.string) ?? "").lowercased()
        switch kind {
        case "VAR_RESET_ALL":
            // RESET ALL returns to the login role's defaults, as DISCARD ALL does.
            return (.session, "RESET ALL returns every setting to the session's defaults")
        case "VAR_SET_MULTI":
            // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
            if let args = tree.member(body, "args"), tree.children(args).contains(where: { item in
                guard let (_, element) = tree.typed(item), let option = tree.member(element, "defname"),
                      tree.stringIs(option, "transaction_read_only"), let argument = tree.member(element, "arg") else { return false }
                return !StatementWalker.isOn(tree, argument)
            }) {
                return (.privileged, "SET TRANSACTION READ WRITE overrides a read-only default")
            }
            return (.session, "sets transaction characteristics")
        default:
            break
        }
        let verb = kind == "VAR_RESET" ? "RESET" : "SET"
        if name == "search_path", kind != "VAR_RESET" {
            // Putting a schema before pg_catalog lets it shadow built-in functions the
            // classifier trusts by name.
            let schemas = (tree.member(body, "args").map { args in
                tree.children(args).compactMap { item -> String? in
                    guard let (_, constant) = tree.typed(item), let string = tree.member(constant, "sval") else { return nil }
                    return tree.member(string, "sval").flatMap(tree.string)?.lowercased()
                }
            }) ?? []
            if let position = schemas.firstIndex(of: "pg_catalog"), position > 0 {
                return (.privileged, "search_path puts a schema before pg_catalog, which can shadow built-in functions")
            }
            return (.session, "sets the schema search path")
        }
        if sessionOnly.contains(name) || name.hasPrefix("enable_") || name.hasPrefix("parallel_") {
            return (.session, "\(verb) \(name) only shapes this session")
        }
        switch name {
        case "role", "session_authorization":
            return (.privileged, "\(verb) \(name.uppercased().replacing("_", with: " ")) changes who the session acts as")
        case "default_transaction_read_only", "transaction_read_only":
            return (.privileged, "\(verb) \(name) can undo a read-only guard")
        case "session_replication_role":
            return (.privileged, "session_replication_role = replica switches off triggers and foreign-key checks")
        case "standard_conforming_strings", "backslash_quote", "escape_string_warning":
            return (.privileged, "\(name) changes how later string literals are read, so their text could hide statements")
        case "row_security":
            return (.privileged, "row_security changes which rows are visible")
        default:
            return (.privileged, "\(verb) \(name.isEmpty ? "?" : name) is not on the list of session-only settings")
        }
    }
}
