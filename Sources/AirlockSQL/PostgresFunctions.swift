/// What calling a PostgreSQL function does. A function inside a query is safe only if it is on
/// the allow-list of side-effect-free built-ins; a short list is known to write; everything
/// else (`pg_terminate_backend`, `set_config`, `lo_export`, `dblink_exec`, any user-defined
/// function) is privileged, because its effect cannot be known from the text.
public enum PostgresFunctions {
    /// Whether a call to this function (`lower`, `pg_catalog.now`) has no side effects. Only
    /// unqualified names and names in `pg_catalog` can be built-ins.
    public static func isSideEffectFree(_ qualifiedName: String) -> Bool {
        guard let name = builtinName(qualifiedName) else { return false }
        return sideEffectFree.contains(name)
    }

    /// The class a call contributes, and why.
    static func classify(_ qualifiedName: String) -> (SQLClass, String) {
        if let name = builtinName(qualifiedName) {
            if sideEffectFree.contains(name) { return (.read, "\(qualifiedName)() has no side effects") }
            if writes.contains(name) { return (.write, "\(qualifiedName)() changes database state") }
        }
        return (.privileged, "\(qualifiedName)() is not a known side-effect-free built-in: what it does cannot be known from the text")
    }

    /// The name without `pg_catalog.`; nil for functions in any other schema.
    static func builtinName(_ qualifiedName: String) -> String? {
        if let dot = qualifiedName.lastIndex(of: ".") {
            guard qualifiedName[..<dot] == "pg_catalog" else { return nil }
            return String(qualifiedName[qualifiedName.index(after: dot)...])
        }
        return qualifiedName
    }

    /// Sequences and advisory locks: state changes a read-only role could not make.
    static let writes: Set<String> = [
        "nextval", "setval", "pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock",
        "pg_advisory_xact_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
        "pg_try_advisory_xact_lock", "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock",
        "pg_advisory_unlock_shared", "pg_advisory_unlock_all", "pg_notify", "txid_current", "pg_current_xact_id",
    ]

    /// Built-ins that read their arguments (and at most the catalog or statistics) and change
    /// nothing. Extensible from a server's catalog (`pg_proc.provolatile`) later; kept explicit so
    /// a review can see every name.
    static let sideEffectFree: Set<String> = [
        // Aggregates and window functions
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg", "json_object_agg",
        "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor", "stddev", "stddev_pop", "stddev_samp",
        "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_count",
        "regr_r2", "regr_avgx", "regr_avgy", "regr_sxx", "regr_sxy", "regr_syy", "percentile_cont", "percentile_disc", "mode", "xmlagg",
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
        "last_value", "nth_value", "grouping", "range_agg", "range_intersect_agg",
        // Strings
        "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length",
        "substring", "substr", "position", "strpos", "trim", "btrim", "ltrim", "rtrim", "lpad", "rpad", "replace",
        "translate", "concat", "concat_ws", "format", "left", "right", "repeat", "reverse", "split_part",
        "string_to_array", "string_to_table", "array_to_string", "regexp_replace", "regexp_match", "regexp_matches",
        "regexp_split_to_array", "regexp_split_to_table", "regexp_count", "regexp_instr", "regexp_like", "regexp_substr",
        "starts_with", "ascii", "chr", "md5", "sha224", "sha256", "sha384", "sha512", "encode", "decode", "quote_ident",
        "quote_literal", "quote_nullable", "to_hex", "overlay", "normalize", "unistr", "convert", "convert_from",
        "convert_to", "to_ascii", "parse_ident", "crc32", "crc32c", "get_byte", "set_byte", "get_bit", "set_bit", "bit_count",
        "text", "casefold", "like_escape", "similar_escape", "similar_to_escape", "pg_client_encoding",
        // Numbers
        "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "exp", "ln", "log", "log10",
        "power", "pow", "mod", "div", "pi", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
        "sinh", "cosh", "tanh", "width_bucket", "gcd", "lcm", "factorial", "scale", "min_scale", "trim_scale",
        "random", "random_normal", "setseed", "numeric", "int4", "int8", "float8", "to_number", "greatest", "least",
        // Dates and times
        "now", "current_timestamp", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
        "date_trunc", "date_part", "extract", "date_bin", "age", "to_char", "to_date", "to_timestamp",
        "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "justify_days",
        "justify_hours", "justify_interval", "isfinite", "timezone", "date_add", "date_subtract", "overlaps",
        "generate_series", "generate_subscripts",
        // JSON
        "to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object",
        "json_build_array", "jsonb_build_array", "json_object", "jsonb_object", "json_array_length",
        "jsonb_array_length", "json_each", "jsonb_each", "json_each_text", "jsonb_each_text", "json_extract_path",
        "jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text", "json_object_keys",
        "jsonb_object_keys", "json_array_elements", "jsonb_array_elements", "json_array_elements_text",
        "jsonb_array_elements_text", "json_typeof", "jsonb_typeof", "json_strip_nulls", "jsonb_strip_nulls",
        "jsonb_set", "jsonb_set_lax", "jsonb_insert", "jsonb_pretty", "jsonb_path_exists", "jsonb_path_match",
        "jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_first", "json_populate_record",
        "jsonb_populate_record", "json_populate_recordset", "jsonb_populate_recordset", "json_to_record",
        "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset", "jsonb_concat", "jsonb_contains",
        // Arrays and ranges
        "array_length", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality", "array_append",
        "array_prepend", "array_cat", "array_remove", "array_replace", "array_position", "array_positions",
        "array_fill", "unnest", "trim_array", "array_sample", "array_shuffle", "lower_inc", "upper_inc", "lower_inf",
        "upper_inf", "isempty", "range_merge", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
        // Conditionals, types, misc
        "coalesce", "nullif", "num_nonnulls", "num_nulls", "pg_typeof", "format_type", "to_regclass", "to_regtype",
        "to_regproc", "to_regprocedure", "to_regnamespace", "to_regrole", "to_regoper", "to_regcollation",
        "gen_random_uuid", "uuid_generate_v4", "uuidv4", "uuidv7", "current_database", "current_schema", "current_schemas",
        "current_user", "session_user", "current_role", "user", "current_query", "current_setting", "version",
        "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port", "pg_backend_pid",
        "pg_postmaster_start_time", "pg_conf_load_time", "pg_is_in_recovery", "pg_last_wal_receive_lsn",
        "pg_last_wal_replay_lsn", "pg_last_xact_replay_timestamp", "pg_current_wal_lsn", "pg_wal_lsn_diff",
        "pg_blocking_pids", "pg_safe_snapshot_blocking_pids", "pg_trigger_depth", "pg_jit_available",
        "pg_listening_channels", "pg_notification_queue_usage", "txid_current_if_assigned", "txid_snapshot_xmin",
        "txid_snapshot_xmax", "pg_current_snapshot", "pg_snapshot_xmin", "pg_snapshot_xmax", "txid_status", "pg_xact_status",
        "host", "hostmask", "masklen", "netmask", "network", "broadcast", "family", "abbrev", "inet_same_family", "inet_merge",
        "set_masklen",
        // Catalog and statistics readers
        "pg_size_pretty", "pg_size_bytes", "pg_relation_size", "pg_total_relation_size", "pg_table_size",
        "pg_indexes_size", "pg_database_size", "pg_tablespace_size", "pg_column_size", "pg_relation_filenode",
        "pg_relation_filepath", "pg_get_viewdef", "pg_get_ruledef", "pg_get_indexdef", "pg_get_triggerdef",
        "pg_get_constraintdef", "pg_get_functiondef", "pg_get_function_arguments", "pg_get_function_result",
        "pg_get_function_identity_arguments", "pg_get_expr", "pg_get_userbyid", "pg_get_serial_sequence",
        "pg_get_keywords", "pg_get_partkeydef", "pg_get_statisticsobjdef", "pg_index_column_has_property",
        "pg_index_has_property", "pg_indexam_has_property", "obj_description", "col_description",
        "shobj_description", "has_table_privilege", "has_column_privilege", "has_any_column_privilege",
        "has_database_privilege", "has_schema_privilege", "has_sequence_privilege", "has_function_privilege",
        "has_type_privilege", "has_tablespace_privilege", "has_foreign_data_wrapper_privilege",
        "has_server_privilege", "has_language_privilege", "pg_has_role", "row_security_active",
        "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "pg_encoding_to_char",
        "pg_char_to_encoding", "pg_stat_get_numscans", "pg_stat_get_live_tuples", "pg_stat_get_dead_tuples",
        "pg_stat_get_activity", "pg_stat_get_backend_pid", "pg_stat_get_db_numbackends", "pg_get_object_address",
        "pg_describe_object", "pg_identify_object", "pg_identify_object_as_address", "pg_options_to_table",
        "pg_tablespace_location", "pg_get_replica_identity_index", "pg_partition_tree", "pg_partition_root",
        "pg_partition_ancestors", "pg_settings_get_flags", "pg_input_is_valid", "pg_input_error_info",
        "pg_column_compression", "pg_visible_in_snapshot", "pg_sequence_last_value", "pg_stat_statements",
        "pg_get_wal_replay_pause_state", "pg_database_collation_actual_version", "pg_collation_actual_version",
        // Text search (reads)
        "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_rank",
        "ts_rank_cd", "ts_headline", "setweight", "strip", "numnode", "querytree", "tsvector_to_array",
        "array_to_tsvector", "ts_lexize", "ts_debug", "ts_parse", "ts_token_type", "get_current_ts_config",
        // XML
        "xmlparse", "xmlserialize", "xmlelement", "xmlforest", "xmlconcat", "xpath", "xpath_exists", "xml_is_well_formed",
        "xmltext", "xmlcomment", "xmlpi", "xmlroot",
        // Geometry and bytes
        "point", "box", "circle", "line", "lseg", "path", "polygon", "area", "center", "diameter", "height", "width",
        "radius", "npoints", "isclosed", "isopen", "bound_box", "length_in_bytes",
        "string_agg_transfn", "bytea", "to_bin", "to_oct",
    ]
}
