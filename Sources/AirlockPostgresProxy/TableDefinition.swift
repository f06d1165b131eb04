import AirlockJournal
import Foundation

/// A table's definition as SQL, read from the catalogs: what a drop's undo runs to recreate it.
/// Read with search_path set to the table's schema, so the statements name the table and its
/// schema's objects without a schema and run against whichever schema a restore points
/// search_path at (the original, or `journal verify`'s scratch schema).
struct TableDefinition {
    /// The columns COPY carries (generated columns are computed, not copied).
    var columns: [JournalEntry.Column] = []
    var beforeData: [String] = []
    var afterData: [String] = []
    var referencedBy: [String] = []
    /// Run last: hands the table back to its owner.
    var ownership: [String] = []

    static func read(_ relation: TableSnapshot.Relation, over connection: UpstreamConnection) async throws -> TableDefinition {
        var definition = TableDefinition()
        let oid = relation.oid
        let table = SQLQuoting.identifier(relation.name)
        let tableLiteral = try SQLQuoting.literal(table)

        // Sequences the table owns: serial columns ('a') and identity columns ('i').
        let sequenceRows = try await connection.simpleQuery(
            """
            SELECT a.attname, sn.nspname, sc.relname, d.deptype, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                   s.seqmin, s.seqmax, s.seqcache, s.seqcycle, sc.oid
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
            JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
            JOIN pg_catalog.pg_sequence s ON s.seqrelid = sc.oid
            JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.refobjid = \(oid) AND d.deptype IN ('a', 'i')
            ORDER BY a.attnum
            """)
        var identityOptions: [String: String] = [:]
        var ownedSequences: [(oid: String, name: String)] = []
        for row in sequenceRows {
            guard let column = row[0], let schema = row[1], let name = row[2], let start = row[5], let increment = row[6], let minimum = row[7],
                  let maximum = row[8], let cache = row[9]
            else { continue }
            let options = "INCREMENT BY \(increment) MINVALUE \(minimum) MAXVALUE \(maximum) START WITH \(start) CACHE \(cache)\(row[10] == "t" ? " CYCLE" : " NO CYCLE")"
            if row[3] == "i" {
                identityOptions[column] = options
            } else {
                let sequence = schema == relation.schema ? SQLQuoting.identifier(name) : SQLQuoting.qualified(schema, name)
                definition.beforeData.append("CREATE SEQUENCE \(sequence) AS \(row[4] ?? "bigint") \(options)")
                definition.afterData.append("ALTER SEQUENCE \(sequence) OWNED BY \(table).\(SQLQuoting.identifier(column))")
                if let sequenceOID = row[11] { ownedSequences.append((sequenceOID, sequence)) }
            }
            // The position: read from the sequence itself (non-transactional, so its latest).
            let position = try await connection.simpleQuery("SELECT last_value, is_called FROM \(SQLQuoting.qualified(schema, name))")
            if let last = position.first?[0], let called = position.first?[1] {
                definition.afterData.append(
                    "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(\(tableLiteral), \(try SQLQuoting.literal(column))), \(last), \(called == "t"))")
            }
        }

        let columnRows = try await connection.simpleQuery(
            """
            SELECT a.attname, a.atttypid, a.atttypmod, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                   CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                        THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
            LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
            WHERE a.attrelid = \(oid) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """)
        var lines: [String] = []
        for row in columnRows {
            guard let name = row[0], let typeOID = row[1].flatMap({ UInt32($0) }), let modifier = row[2].flatMap({ Int32($0) }), let type = row[3] else {
                throw UpstreamError("upstream '\(connection.upstream.name)': an unexpected column row for \(relation.schema).\(relation.name)")
            }
            var line = "\(SQLQuoting.identifier(name)) \(type)"
            if let collation = row[8] { line += " COLLATE \(collation)" }
            let generated = row[7] == "s"
            if generated, let expression = row[5] {
                line += " GENERATED ALWAYS AS (\(expression)) STORED"
            } else if let identity = row[6], identity == "a" || identity == "d" {
                line += " GENERATED \(identity == "a" ? "ALWAYS" : "BY DEFAULT") AS IDENTITY"
                if let options = identityOptions[name] { line += " (\(options))" }
            } else if let expression = row[5] {
                line += " DEFAULT \(expression)"
            }
            if row[4] == "t" { line += " NOT NULL" }
            lines.append(line)
            if !generated { definition.columns.append(JournalEntry.Column(name: name, typeOID: typeOID, typeModifier: modifier)) }
        }

        // Constraints: valid CHECKs inside CREATE TABLE (each loaded row is checked); keys,
        // exclusions and foreign keys after the rows (one index build instead of one insert
        // per row, and a self-reference needs its rows in place).
        let constraintRows = try await connection.simpleQuery(
            """
            SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid), convalidated
            FROM pg_catalog.pg_constraint
            WHERE conrelid = \(oid) AND contype IN ('c', 'p', 'u', 'x', 'f')
            ORDER BY CASE contype WHEN 'c' THEN 0 WHEN 'p' THEN 1 WHEN 'u' THEN 2 WHEN 'x' THEN 3 ELSE 4 END, conname
            """)
        for row in constraintRows {
            guard let name = row[0], let kind = row[1], let text = row[2] else { continue }
            let clause = "CONSTRAINT \(SQLQuoting.identifier(name)) \(text)"
            if kind == "c" && row[3] == "t" {
                lines.append(clause)
            } else {
                definition.afterData.append("ALTER TABLE ONLY \(table) ADD \(clause)")
            }
        }

        let create = relation.unlogged ? "CREATE UNLOGGED TABLE" : "CREATE TABLE"
        definition.beforeData.append("\(create) \(table) (\n    " + lines.joined(separator: ",\n    ") + "\n)")
        // OWNED BY needs the table: move those after CREATE TABLE but before the data.
        let owned = definition.afterData.filter { $0.hasPrefix("ALTER SEQUENCE ") }
        definition.afterData.removeAll { $0.hasPrefix("ALTER SEQUENCE ") }
        definition.beforeData += owned

        // Indexes that are not a constraint's. pg_get_indexdef always qualifies the table
        // (`ON public.t USING`): made relative here like the rest.
        let indexRows = try await connection.simpleQuery(
            """
            SELECT pg_catalog.pg_get_indexdef(i.indexrelid),
                   pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE i.indrelid = \(oid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                              WHERE k.conindid = i.indexrelid AND k.conrelid = \(oid) AND k.contype IN ('p', 'u', 'x'))
            ORDER BY i.indexrelid
            """)
        for row in indexRows {
            guard let text = row[0], let qualified = row[1] else { continue }
            guard let range = text.range(of: " ON \(qualified) USING ") else {
                throw UpstreamError("cannot read the definition of an index of \(relation.schema).\(relation.name) in a form Airlock can restore: \(text)")
            }
            definition.afterData.append(text.replacingCharacters(in: range, with: " ON \(table) USING "))
        }
        definition.afterData += try await surroundings(oid: oid, table: table, sequences: ownedSequences, over: connection)
        definition.ownership = try await ownership(oid: oid, table: table, over: connection)

        // Sequence positions last, after everything that could fail.
        let positions = definition.afterData.filter { $0.hasPrefix("SELECT pg_catalog.setval(") }
        definition.afterData.removeAll { $0.hasPrefix("SELECT pg_catalog.setval(") }
        definition.afterData += positions

        // Other tables' foreign keys pointing here: DROP … CASCADE removes them; a drop's undo
        // adds each back where it is missing (and where its table still exists).
        let inbound = try await connection.simpleQuery(
            """
            SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(r.relname), c.conname, pg_catalog.pg_get_constraintdef(c.oid)
            FROM pg_catalog.pg_constraint c
            JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
            WHERE c.confrelid = \(oid) AND c.contype = 'f' AND c.conrelid <> \(oid)
            ORDER BY 1, 2
            """)
        for row in inbound {
            guard let other = row[0], let name = row[1], let text = row[2] else { continue }
            let otherLiteral = try SQLQuoting.literal(other)
            // The names come from the catalogs, where an agent may have chosen them: the
            // quoting tag is one they do not contain.
            let body = """
                BEGIN
                  IF pg_catalog.to_regclass(\(otherLiteral)) IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass(\(otherLiteral)) AND conname = \(try SQLQuoting.literal(name)))
                  THEN
                    ALTER TABLE \(other) ADD CONSTRAINT \(SQLQuoting.identifier(name)) \(text);
                  END IF;
                END
                """
            definition.referencedBy.append("DO " + SQLQuoting.dollarQuoted(" " + body + " "))
        }
        return definition
    }

    /// What else a DROP removes with the table and its undo must bring back, after the rows
    /// (a trigger must not fire on them, a policy must not filter them): triggers and whether
    /// each is enabled, row security and its policies, the privileges granted on the table,
    /// its columns and its serial sequences, and comments. The owner comes after everything
    /// (`ownership`).
    ///
    /// Privileges are granted anew by the restoring role, so their grantor is that role (or the
    /// owner, once the table is handed back); privileges the owner revoked from itself are not
    /// revoked again.
    static func surroundings(oid: UInt32, table: String, sequences: [(oid: String, name: String)], over connection: UpstreamConnection) async throws -> [String] {
        var statements: [String] = []
        // pg_get_triggerdef's pretty form names the table and the function as search_path
        // sees them (the table's schema), like the rest of the definition.
        let triggers = try await connection.simpleQuery(
            """
            SELECT pg_catalog.pg_get_triggerdef(oid, true), tgname, tgenabled
            FROM pg_catalog.pg_trigger WHERE tgrelid = \(oid) AND NOT tgisinternal ORDER BY tgname
            """)
        for row in triggers {
            guard let text = row[0], let name = row[1] else { continue }
            statements.append(text)
            let state: [String: String] = ["D": "DISABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER", "A": "ENABLE ALWAYS TRIGGER"]
            if let enabled = row[2], let clause = state[enabled] {
                statements.append("ALTER TABLE \(table) \(clause) \(SQLQuoting.identifier(name))")
            }
        }

        let security = try await connection.simpleQuery("SELECT relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class WHERE oid = \(oid)")
        if security.first?[0] == "t" { statements.append("ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY") }
        if security.first?[1] == "t" { statements.append("ALTER TABLE \(table) FORCE ROW LEVEL SECURITY") }
        let policies = try await connection.simpleQuery(
            """
            SELECT p.polname, p.polpermissive, p.polcmd,
                   (SELECT pg_catalog.string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.oid)) END, ', ')
                    FROM pg_catalog.unnest(p.polroles) AS r(oid)),
                   pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
            FROM pg_catalog.pg_policy p WHERE p.polrelid = \(oid) ORDER BY p.polname
            """)
        let commands: [String: String] = ["r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"]
        for row in policies {
            guard let name = row[0], let command = row[2].flatMap({ commands[$0] }), let roles = row[3] else {
                throw UpstreamError("upstream '\(connection.upstream.name)': a row-security policy of \(table) Airlock cannot read back")
            }
            var policy = "CREATE POLICY \(SQLQuoting.identifier(name)) ON \(table) AS \(row[1] == "t" ? "PERMISSIVE" : "RESTRICTIVE") FOR \(command) TO \(roles)"
            if let using = row[4] { policy += " USING (\(using))" }
            if let check = row[5] { policy += " WITH CHECK (\(check))" }
            statements.append(policy)
        }

        // Privileges: the table's, its columns' (attacl), its serial sequences'. The owner's
        // own privileges come with ownership.
        func grants(on object: String, acl query: String) async throws -> [String] {
            let rows = try await connection.simpleQuery(query)
            var grouped: [(grantee: String, grantable: Bool, column: String?, privileges: [String])] = []
            for row in rows {
                guard let grantee = row[0], let privilege = row[1] else { continue }
                let grantable = row[2] == "t", column = row.count > 3 ? row[3] : nil
                if let last = grouped.indices.last, grouped[last].grantee == grantee, grouped[last].grantable == grantable, grouped[last].column == column {
                    grouped[last].privileges.append(privilege)
                } else {
                    grouped.append((grantee, grantable, column, [privilege]))
                }
            }
            return grouped.map { grant in
                let privileges = grant.privileges.map { privilege in grant.column.map { "\(privilege) (\(SQLQuoting.identifier($0)))" } ?? privilege }
                return "GRANT \(privileges.joined(separator: ", ")) ON \(object) TO \(grant.grantee)\(grant.grantable ? " WITH GRANT OPTION" : "")"
            }
        }
        let grantee = "CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END"
        func relationACL(_ relation: String) -> String {
            "SELECT \(grantee), x.privilege_type, x.is_grantable FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) x WHERE c.oid = \(relation) AND x.grantee <> c.relowner ORDER BY 1, 3, 2"
        }
        statements += try await grants(
            on: "TABLE \(table)",
            acl: relationACL(String(oid)))
        statements += try await grants(
            on: "TABLE \(table)",
            acl: """
                SELECT \(grantee), x.privilege_type, x.is_grantable, a.attname
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid, pg_catalog.aclexplode(a.attacl) x
                WHERE a.attrelid = \(oid) AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner ORDER BY a.attnum, 1, 3, 2
                """)
        for sequence in sequences {
            statements += try await grants(
                on: "SEQUENCE \(sequence.name)",
                acl: relationACL(sequence.oid))
        }

        let comments = try await connection.simpleQuery(
            """
            SELECT NULL, pg_catalog.obj_description(\(oid), 'pg_class')
            UNION ALL
            SELECT attname, pg_catalog.col_description(\(oid), attnum) FROM (
              SELECT attname, attnum FROM pg_catalog.pg_attribute WHERE attrelid = \(oid) AND attnum > 0 AND NOT attisdropped ORDER BY attnum) columns
            """)
        for row in comments {
            guard let text = row[1] else { continue }
            let target = row[0].map { "COLUMN \(table).\(SQLQuoting.identifier($0))" } ?? "TABLE \(table)"
            statements.append("COMMENT ON \(target) IS \(try SQLQuoting.literal(text))")
        }
        return statements
    }

    /// The table's owner, unless it is the role Airlock reads (and restores) as. An owner the
    /// restoring role cannot hand tables to (or one dropped since) leaves the table with the
    /// restoring role and a warning, rather than failing the whole undo; ALTER TABLE … OWNER
    /// takes the serial sequences along.
    static func ownership(oid: UInt32, table: String, over connection: UpstreamConnection) async throws -> [String] {
        let owner = try await connection.simpleQuery(
            "SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(relowner)), pg_catalog.pg_get_userbyid(relowner) = current_user FROM pg_catalog.pg_class WHERE oid = \(oid)")
        guard let name = owner.first?[0], owner.first?[1] != "t" else { return [] }
        let body = """
            BEGIN
              ALTER TABLE \(table) OWNER TO \(name);
            EXCEPTION WHEN insufficient_privilege OR undefined_object THEN
              RAISE WARNING 'Airlock restored the table % but could not hand it back to its owner %: %', \(try SQLQuoting.literal(table)), \(try SQLQuoting.literal(name)), SQLERRM;
            END
            """
        return ["DO " + SQLQuoting.dollarQuoted(" " + body + " ")]
    }
}
