import Testing
@testable import AirlockSQL

/// One SQL text and what it must come out as: the strictest class over its statements, the
/// first statement's kind when given, and flags that must be among the statements' flags.
struct SQLCase: Sendable, CustomTestStringConvertible {
    let sql: String
    let expected: SQLClass
    let kind: String?
    let flags: Set<SQLFlag>

    init(_ sql: String, _ expected: SQLClass, _ kind: String? = nil, flags: Set<SQLFlag> = []) {
        self.sql = sql
        self.expected = expected
        self.kind = kind
        self.flags = flags
    }

    var testDescription: String { sql.debugDescription }
}

private func check(_ c: SQLCase, _ dialect: SQLDialect) {
    let statements = LexicalSQL.classify(c.sql, dialect: dialect)
    let summary = statements.map { "\($0.kind) \($0.sqlClass.rawValue): \($0.reason)" }
    #expect(SQLClassifier.strictest(statements) == c.expected, "\(summary)")
    if let kind = c.kind { #expect(statements.first?.kind == kind, "\(summary)") }
    let flags = statements.reduce(into: Set<SQLFlag>()) { $0.formUnion($1.flags) }
    #expect(c.flags.isSubset(of: flags), "flags \(flags.sorted())")
    #expect(statements.allSatisfy { !$0.reason.isEmpty })
}

@Suite struct DialectMySQLTests {
    static let cases: [SQLCase] = [
        // Reads, and dangerous text that is only text
        SQLCase("SELECT * FROM users WHERE id = 1", .read, "SELECT"),
        SQLCase("SELECT 1 -- ; DROP TABLE t", .read, "SELECT"),
        SQLCase("SELECT '; DROP TABLE t'", .read, "SELECT"),
        SQLCase("SELECT 1 # ; DROP TABLE t", .read),
        SQLCase("SELECT 1 /* ; DROP TABLE t */", .read),
        SQLCase("SELECT `drop` FROM `delete`", .read),
        SQLCase("SELECT count(*), max(a), concat(b, c), date_format(now(), '%Y') FROM t GROUP BY d", .read),
        SQLCase("WITH c AS (SELECT * FROM t) SELECT * FROM c", .read, "SELECT"),
        SQLCase("SELECT * FROM t WHERE a IN (SELECT b FROM u)", .read),
        SQLCase("(SELECT 1) UNION (SELECT 2)", .read, "SELECT"),
        SQLCase("SHOW TABLES", .read, "SHOW"),
        SQLCase("DESCRIBE users", .read, "DESCRIBE"),
        SQLCase("EXPLAIN SELECT * FROM t", .read, "EXPLAIN"),
        SQLCase("EXPLAIN ANALYZE SELECT * FROM t", .read, flags: [.explainAnalyze]),
        SQLCase("CHECK TABLE t", .read, "CHECK TABLE"),
        SQLCase("HELP 'contents'", .read),
        // Session
        SQLCase("USE shop", .session, "USE"),
        SQLCase("START TRANSACTION READ WRITE", .session, "START TRANSACTION"),
        SQLCase("COMMIT", .session),
        SQLCase("ROLLBACK TO SAVEPOINT s1", .session),
        SQLCase("SET NAMES utf8mb4", .session, "SET"),
        SQLCase("SET @x = 5", .session),
        SQLCase("SET autocommit = 0, @@session.time_zone = '+00:00'", .session),
        SQLCase("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", .session),
        SQLCase("SELECT a INTO @v FROM t LIMIT 1", .session),
        SQLCase("UNLOCK TABLES", .session),
        SQLCase("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */", .session),
        // Writes
        SQLCase("INSERT INTO t (a) VALUES (1)", .write, "INSERT"),
        SQLCase("REPLACE INTO t (a) VALUES (1)", .write, "REPLACE"),
        SQLCase("INSERT INTO t SELECT * FROM s ON DUPLICATE KEY UPDATE a = VALUES(a)", .write),
        SQLCase("UPDATE t SET a=1 WHERE id=3", .write, "UPDATE"),
        SQLCase("UPDATE t SET a = CASE WHEN b THEN 1 ELSE 2 END WHERE id = 4", .write),
        SQLCase("LOAD DATA LOCAL INFILE 'a.csv' INTO TABLE t", .write, "LOAD DATA"),
        SQLCase("SELECT * FROM t FOR UPDATE", .write, flags: [.locking]),
        SQLCase("SELECT * FROM t LOCK IN SHARE MODE", .write, flags: [.locking]),
        SQLCase("LOCK TABLES t WRITE", .write, "LOCK TABLES"),
        SQLCase("SELECT replace(name, 'a', 'b') FROM t", .write),  // REPLACE in code: at least write
        // DDL
        SQLCase("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), KEY k (name(10)))", .ddl, "CREATE TABLE"),
        SQLCase("CREATE TABLE c (id INT, FOREIGN KEY (id) REFERENCES p(id) ON DELETE CASCADE)", .ddl),
        SQLCase("CREATE UNIQUE INDEX i ON t (name(10))", .ddl, "CREATE INDEX"),
        SQLCase("CREATE OR REPLACE VIEW v AS SELECT * FROM t", .ddl, "CREATE VIEW"),
        SQLCase("ALTER TABLE t ADD COLUMN c INT", .ddl, "ALTER TABLE"),
        SQLCase("RENAME TABLE a TO b", .ddl, "RENAME TABLE", flags: [.rename]),
        SQLCase("OPTIMIZE TABLE t", .ddl, "OPTIMIZE TABLE"),
        SQLCase("/*!40000 ALTER TABLE `t` DISABLE KEYS */", .ddl),
        // Destructive
        SQLCase("DeLeTe FROM t", .destructive, "DELETE", flags: [.noWhere]),
        SQLCase("DELETE FROM t WHERE id = 3", .destructive, "DELETE"),
        SQLCase("/*! DROP TABLE t */", .destructive, "DROP TABLE"),
        SQLCase("/*!50001 DROP TABLE t */", .destructive, "DROP TABLE"),
        SQLCase("SELECT 1; DROP TABLE t", .destructive),
        SQLCase("UPDATE t SET a=1", .destructive, "UPDATE", flags: [.noWhere]),
        SQLCase("UPDATE t SET a=1 WHERE 1=1", .destructive, "UPDATE", flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a=1 WHERE true", .destructive, flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a=1 WHERE 'a'='a'", .destructive, flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a=1 WHERE 1<>0", .destructive, flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a=1 WHERE id = 3 OR 1=1", .destructive, flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a=1 WHERE (1)", .destructive, flags: [.tautologicalWhere]),
        SQLCase("UPDATE t SET a = (SELECT max(b) FROM u WHERE u.id = 1)", .destructive, flags: [.noWhere]),
        SQLCase("TRUNCATE TABLE t", .destructive, "TRUNCATE TABLE"),
        SQLCase("DROP TABLE IF EXISTS a, b CASCADE", .destructive, "DROP TABLE", flags: [.cascade]),
        SQLCase("DROP DATABASE shop", .destructive, "DROP DATABASE"),
        SQLCase("DROP USER bob", .destructive, "DROP USER"),
        SQLCase("ALTER TABLE t DROP COLUMN c", .destructive, "ALTER TABLE"),
        SQLCase("ALTER TABLE t MODIFY COLUMN a BIGINT", .destructive),
        SQLCase("ALTER TABLE t CHANGE a b INT", .destructive),
        SQLCase("WITH c AS (SELECT 1) DELETE FROM t", .destructive, "DELETE"),
        SQLCase("EXPLAIN ANALYZE UPDATE t SET a = 1", .destructive, flags: [.explainAnalyze, .noWhere]),
        SQLCase("CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW DELETE FROM log", .destructive, "CREATE TRIGGER"),
        SQLCase("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO UPDATE t SET a = 0", .destructive, flags: [.deferred, .noWhere]),
        SQLCase("DELETE\u{A0}FROM t", .destructive),
        SQLCase("SELECT 1 \\G DROP TABLE t", .destructive),
        // Privileged
        SQLCase("FROBNICATE the database", .privileged, "FROBNICATE"),
        SQLCase("SELECT load_file('/etc/passwd')", .privileged, flags: [.serverSideCopy]),
        SQLCase("SELECT * FROM t INTO OUTFILE '/tmp/x'", .privileged, flags: [.serverSideCopy]),
        SQLCase("SELECT a FROM t INTO DUMPFILE '/tmp/x'", .privileged),
        SQLCase("LOAD DATA INFILE '/var/lib/a.csv' INTO TABLE t", .privileged, flags: [.serverSideCopy]),
        SQLCase("SELECT sleep(10)", .privileged),
        SQLCase("SELECT benchmark(1000000, md5('x'))", .privileged),
        SQLCase("SELECT my_udf(1)", .privileged),
        SQLCase("SELECT mydb.f(1)", .privileged),
        SQLCase("SET GLOBAL max_connections = 1", .privileged),
        SQLCase("SET @@global.read_only = 0", .privileged),
        SQLCase("SET sql_mode = ''", .privileged),
        SQLCase("SET foreign_key_checks = 0", .privileged),
        SQLCase("SET sql_log_bin = 0", .privileged),
        SQLCase("SET PASSWORD FOR bob = 'x'", .privileged),
        SQLCase("CREATE USER bob IDENTIFIED BY 'x'", .privileged, "CREATE USER"),
        SQLCase("GRANT ALL ON *.* TO bob", .privileged, "GRANT"),
        SQLCase("REVOKE DELETE ON db.t FROM bob", .privileged, "REVOKE"),
        SQLCase("CALL cleanup()", .privileged, "CALL"),
        SQLCase("DO 1", .privileged, "DO"),
        SQLCase("PREPARE s FROM 'SELECT 1'", .privileged, "PREPARE"),
        SQLCase("EXECUTE s", .privileged, "EXECUTE", flags: [.unknownPrepared]),
        SQLCase("KILL 42", .privileged),
        SQLCase("SHUTDOWN", .privileged),
        SQLCase("FLUSH TABLES", .privileged),
        SQLCase("RESET MASTER", .privileged),
        SQLCase("PURGE BINARY LOGS TO 'mysql-bin.010'", .privileged),
        SQLCase("CHANGE REPLICATION SOURCE TO SOURCE_HOST='h'", .privileged, "CHANGE REPLICATION"),
        SQLCase("INSTALL PLUGIN x SONAME 'x.so'", .privileged),
        SQLCase("HANDLER t OPEN", .privileged),
        SQLCase("CREATE FUNCTION f RETURNS STRING SONAME 'udf.so'", .privileged),
        SQLCase("SELECT 1 \\! rm -rf /", .privileged),
        SQLCase("PRAGMA table_info(t)", .privileged),  // SQLite's, not MySQL's
        // Readings that depend on the server's settings
        SQLCase("/*!99999 SELECT 1 */ SET GLOBAL x = 1", .privileged),
        SQLCase("SELECT 'a\\'; DROP TABLE t; -- '", .destructive),
        SQLCase("SELECT \"a\\\\\"; DROP TABLE t", .destructive),
        SQLCase("SELECT 1--1; DROP TABLE t", .destructive),
        SQLCase("--\u{01} ; DROP TABLE t", .destructive),
        // Text that cannot be read
        SQLCase("SELECT 'abc", .unparseable),
        SQLCase("SELECT \"a\\\"; DROP TABLE t", .unparseable),
        SQLCase("SELECT 1 /* open", .unparseable),
        SQLCase("/*! SELECT 1", .unparseable),
        SQLCase("SELECT `id FROM t", .unparseable),
    ]

    @Test(arguments: cases) func classifies(_ c: SQLCase) { check(c, .mysql) }

    @Test func splitsOnSemicolonsOutsideQuotes() {
        let statements = LexicalSQL.classify("  SELECT 1;\n DROP TABLE t ;", dialect: .mysql)
        #expect(statements.map(\.index) == [0, 1])
        #expect(statements.map(\.text) == ["SELECT 1", "DROP TABLE t"])
        #expect(statements.map(\.sqlClass) == [.read, .destructive])
        #expect(statements.map(\.kind) == ["SELECT", "DROP TABLE"])
    }

    @Test func backslashEscapeKeepsTheQuoteOpen() {
        // With MySQL's default backslash escapes the string never closes: fail closed.
        let statements = LexicalSQL.classify("SELECT \"a\\\"; DROP TABLE t", dialect: .mysql)
        #expect(statements.count == 1)
        #expect(statements.first?.sqlClass == .unparseable)
        #expect(statements.first?.error?.message.contains("unterminated string") == true)
    }

    @Test func unterminatedQuoteNamesTheCauseAndPlace() throws {
        let statements = LexicalSQL.classify("SELECT 1; \n  SELECT 'abc", dialect: .mysql)
        #expect(statements.map(\.sqlClass) == [.read, .unparseable])
        let failed = try #require(statements.last)
        #expect(failed.kind == "")
        #expect(failed.text == "SELECT 'abc")
        #expect(failed.error == SQLParseError(message: "unterminated string: a ' quote is never closed", position: 8))
    }

    @Test func tablesAndFunctions() throws {
        let statement = try #require(LexicalSQL.classify("SELECT a.x, COUNT(*), lower(b) FROM db.Users a, t3 JOIN `Orders` o ON o.id = a.id", dialect: .mysql).first)
        #expect(statement.tables == ["Orders", "db.users", "t3"])
        #expect(statement.functions == ["count", "lower"])
        let insert = try #require(LexicalSQL.classify("INSERT INTO log (a, b) SELECT x, now() FROM src", dialect: .mysql).first)
        #expect(insert.tables == ["log", "src"])
        #expect(insert.functions == ["now"])
        let cte = try #require(LexicalSQL.classify("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", dialect: .mysql).first)
        #expect(cte.tables == ["orders"])
    }

    @Test func emptyAndCommentOnlyTextHasNoStatements() {
        #expect(LexicalSQL.classify("", dialect: .mysql).isEmpty)
        #expect(LexicalSQL.classify("  ;; -- nothing\n /* here */ # at all", dialect: .mysql).isEmpty)
        #expect(SQLClassifier.strictest(LexicalSQL.classify("", dialect: .mysql)) == .read)
    }

    @Test func entryPointRoutesDialects() {
        #expect(SQLClassifier.classify("DELETE FROM t", dialect: .mysql).first?.sqlClass == .destructive)
        #expect(SQLClassifier.classify("PRAGMA foreign_keys", dialect: .sqlite).first?.sqlClass == .read)
    }
}

@Suite struct DialectSQLiteTests {
    static let cases: [SQLCase] = [
        SQLCase("SELECT * FROM [order items] WHERE \"id\" = 1", .read, "SELECT"),
        SQLCase("SELECT * FROM t -- ; DROP TABLE t", .read),
        SQLCase("SELECT * FROM json_each('[1,2]')", .read),
        SQLCase("SELECT * FROM pragma_table_info('t')", .read),
        SQLCase("EXPLAIN QUERY PLAN SELECT * FROM t", .read, "EXPLAIN"),
        SQLCase("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n < 5) SELECT n FROM c", .read),
        SQLCase("PRAGMA table_info(users)", .read, "PRAGMA"),
        SQLCase("PRAGMA main.index_list('t')", .read),
        SQLCase("PRAGMA integrity_check", .read),
        SQLCase("PRAGMA foreign_keys", .read),
        SQLCase("BEGIN IMMEDIATE TRANSACTION", .session, "BEGIN"),
        SQLCase("END", .session),
        SQLCase("INSERT OR REPLACE INTO t VALUES (1)", .write, "INSERT"),
        SQLCase("INSERT INTO t VALUES (1) ON CONFLICT(id) DO UPDATE SET a = 2", .write),
        SQLCase("UPDATE OR IGNORE t SET a = 1 WHERE id = 2", .write),
        SQLCase("VACUUM", .ddl, "VACUUM"),
        SQLCase("REINDEX", .ddl),
        SQLCase("ANALYZE", .ddl),
        SQLCase("CREATE VIRTUAL TABLE f USING fts5(body)", .ddl, "CREATE VIRTUAL TABLE"),
        SQLCase("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = n + 1 WHERE id = new.id; END", .ddl, flags: [.deferred]),
        SQLCase("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = n + 1; END", .destructive, flags: [.noWhere]),
        SQLCase("UPDATE t SET a = 1", .destructive, flags: [.noWhere]),
        SQLCase("DELETE FROM t WHERE id = 1", .destructive),
        SQLCase("DROP TABLE IF EXISTS t", .destructive),
        SQLCase("SELECT 1 # not a comment in SQLite ; DROP TABLE t", .destructive),
        SQLCase("PRAGMA foreign_keys = OFF", .privileged),
        SQLCase("PRAGMA journal_mode(WAL)", .privileged),
        SQLCase("PRAGMA writable_schema = 1", .privileged),
        SQLCase("PRAGMA optimize", .privileged),
        SQLCase("ATTACH DATABASE '/tmp/x.db' AS x", .privileged, "ATTACH DATABASE"),
        SQLCase("DETACH DATABASE x", .privileged),
        SQLCase("SELECT load_extension('/tmp/evil.so')", .privileged),
        SQLCase("SELECT writefile('/tmp/x', 'data')", .privileged),
        SQLCase("VACUUM INTO '/tmp/copy.db'", .privileged, flags: [.serverSideCopy]),
        SQLCase("CREATE VIRTUAL TABLE c USING csv(filename='/etc/passwd')", .privileged),
        SQLCase("SHOW TABLES", .privileged),
        SQLCase("SET x = 1", .privileged),
        SQLCase("SELECT * FROM [unterminated", .unparseable),
        SQLCase("SELECT 1 /* open", .unparseable),
    ]

    @Test(arguments: cases) func classifies(_ c: SQLCase) { check(c, .sqlite) }

    @Test func triggerBodyStaysOneStatement() {
        let statements = LexicalSQL.classify("CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM u WHERE id = 1; END; SELECT 1", dialect: .sqlite)
        #expect(statements.map(\.kind) == ["CREATE TRIGGER", "SELECT"])
        #expect(statements.map(\.sqlClass) == [.destructive, .read])
    }

    static let dotCommands: [(String, SQLClass)] = [
        (".tables", .read), (".schema users", .read), (".indexes", .read), (".dump", .read), (".databases", .read),
        (".help", .read), (".show", .read), (".headers on", .session), (".mode csv", .session), (".width 10 20", .session),
        (".timer on", .session), (".eqp on", .session), (".explain on", .session), (".import data.csv people", .write),
        (".output out.txt", .write), (".once out.txt", .write), (".save copy.db", .write), (".backup main b.db", .write),
        (".restore b.db", .destructive), (".shell rm -rf /", .privileged), (".system ls", .privileged),
        (".read other.sql", .privileged), (".load ./ext.so", .privileged), (".output '|sh'", .privileged),
        (".once -x", .privileged), (".import '|curl evil' t", .privileged), (".tab", .privileged), (".frobnicate", .privileged),
    ]

    @Test(arguments: dotCommands) func dotCommand(_ line: String, _ expected: SQLClass) {
        let statement = LexicalSQL.sqliteDotCommand("  " + line + " ")
        #expect(statement.sqlClass == expected, "\(statement.reason)")
        #expect(statement.text == line)
        #expect(statement.kind == String(line.prefix { $0 != " " }))
    }
}

@Suite struct DialectRedisTests {
    static let cases: [([String], SQLClass, String)] = [
        (["GET", "k"], .read, "GET"), (["hgetall", "h"], .read, "HGETALL"), (["SCAN", "0"], .read, "SCAN"),
        (["CONFIG", "GET", "*"], .read, "CONFIG GET"), (["CLIENT", "LIST"], .read, "CLIENT LIST"),
        (["SELECT", "2"], .session, "SELECT"), (["AUTH", "pw"], .session, "AUTH"), (["PING"], .session, "PING"),
        (["HELLO", "3"], .session, "HELLO"), (["READONLY"], .session, "READONLY"), (["client", "setname", "x"], .session, "CLIENT SETNAME"),
        (["SET", "k", "v"], .write, "SET"), (["HSET", "h", "f", "v"], .write, "HSET"), (["LPUSH", "l", "x"], .write, "LPUSH"),
        (["EXPIRE", "k", "10"], .write, "EXPIRE"), (["INCR", "c"], .write, "INCR"), (["3", "INCR", "c"], .write, "INCR"),
        (["FLUSHALL"], .destructive, "FLUSHALL"), (["flushdb", "async"], .destructive, "FLUSHDB"), (["DEL", "k"], .destructive, "DEL"),
        (["UNLINK", "k"], .destructive, "UNLINK"), (["SHUTDOWN", "NOSAVE"], .destructive, "SHUTDOWN"), (["SWAPDB", "0", "1"], .destructive, "SWAPDB"),
        (["MIGRATE", "h", "6379", "k", "0", "5000"], .destructive, "MIGRATE"), (["RESTORE", "k", "0", "x", "REPLACE"], .destructive, "RESTORE"),
        (["RESTORE", "k", "0", "x"], .write, "RESTORE"), (["ACL", "DELUSER", "bob"], .destructive, "ACL DELUSER"),
        (["SCRIPT", "FLUSH"], .destructive, "SCRIPT FLUSH"), (["FUNCTION", "FLUSH"], .destructive, "FUNCTION FLUSH"),
        (["config", "set", "dir", "/tmp"], .privileged, "CONFIG SET"), (["CONFIG", "REWRITE"], .privileged, "CONFIG REWRITE"),
        (["CONFIG", "RESETSTAT"], .privileged, "CONFIG RESETSTAT"), (["DEBUG", "SEGFAULT"], .privileged, "DEBUG SEGFAULT"),
        (["REPLICAOF", "evil", "6379"], .privileged, "REPLICAOF"), (["SLAVEOF", "evil", "6379"], .privileged, "SLAVEOF"),
        (["FAILOVER"], .privileged, "FAILOVER"), (["MODULE", "LOAD", "/tmp/x.so"], .privileged, "MODULE LOAD"),
        (["EVAL", "return 1", "0"], .privileged, "EVAL"), (["EVALSHA", "abc", "0"], .privileged, "EVALSHA"),
        (["FCALL", "f", "0"], .privileged, "FCALL"), (["SCRIPT", "LOAD", "return 1"], .privileged, "SCRIPT LOAD"),
        (["ACL", "SETUSER", "bob", "on"], .privileged, "ACL SETUSER"), (["CLIENT", "KILL", "ID", "7"], .privileged, "CLIENT KILL"),
        (["FROBNICATE", "x"], .privileged, "FROBNICATE"), (["JSON.SET", "k", "$", "1"], .privileged, "JSON.SET"),
    ]

    @Test(arguments: cases) func classifies(_ words: [String], _ expected: SQLClass, _ kind: String) {
        let statement = RedisCommands.classify(words)
        #expect(statement.sqlClass == expected, "\(statement.reason)")
        #expect(statement.kind == kind)
        #expect(statement.text == words.joined(separator: " "))
    }

    @Test func noCommandReads() {
        let statement = RedisCommands.classify([])
        #expect(statement.sqlClass == .read)
        #expect(statement.reason == "no command")
    }
}

@Suite struct DialectMongoTests {
    static let cases: [(String, SQLClass)] = [
        ("db.users.find({a: 1}).limit(3)", .read), ("db.users.countDocuments()", .read), ("show dbs", .read),
        ("db.users.aggregate([{$match: {a: 1}}, {$group: {_id: '$b'}}])", .read), ("db.getCollection('orders').find()", .read),
        ("db.users.find().forEach(d => printjson(d))", .read), ("// db.dropDatabase()\ndb.users.find()", .read),
        ("db.users.find({note: 'call me (maybe)'})", .read), ("use shop", .session),
        ("db.users.insertOne({a: 1})", .write), ("db.users.updateMany({}, {$set: {b: 2}})", .write),
        ("db.createCollection('x')", .write), ("db.c.createIndex({a: 1})", .write), ("db.c.bulkWrite([{insertOne: {document: {}}}])", .write),
        ("db.users.aggregate([{$match: {}}, {$out: 'x'}])", .write), ("db.users.aggregate([{\"$merge\": 'x'}])", .write),
        ("db.users.find({a: /it's/}); db.c.insertOne({b: 1})", .write),
        ("db.users.drop()", .destructive), ("db.dropDatabase()", .destructive), ("db.users.deleteMany({})", .destructive),
        ("db.users.deleteOne({a: 1})", .destructive), ("db.users.remove({})", .destructive), ("db.users.findOneAndDelete({})", .destructive),
        ("db.users.dropIndexes()", .destructive), ("db.users.renameCollection('old')", .destructive), ("db.dropUser('bob')", .destructive),
        ("db.users['deleteMany']({})", .destructive), ("db.users.find({name: 'dropDatabase'})", .destructive),
        ("db.runCommand({drop: 'users'})", .destructive), ("db.c.findAndModify({query: {}, remove: true})", .destructive),
        ("db.adminCommand({listDatabases: 1})", .privileged), ("db.runCommand({ping: 1})", .privileged), ("db.eval('1')", .privileged),
        ("db.shutdownServer()", .privileged), ("db.createUser({user: 'x', pwd: 'y', roles: []})", .privileged),
        ("db.grantRolesToUser('x', ['root'])", .privileged), ("db.updateUser('x', {pwd: 'z'})", .privileged),
        ("db.adminCommand({setParameter: 1, x: 1})", .privileged), ("db.users.find({$where: 'this.a > 1'})", .privileged),
        ("db.c.aggregate([{$addFields: {x: {$function: {body: 'f', args: [], lang: 'js'}}}}])", .privileged),
        ("db.users.frobnicate()", .privileged), ("db.users[op]({})", .privileged), ("foo", .privileged),
        ("require('child_process').execSync('id')", .privileged), ("load('x.js')", .privileged),
        ("db.users.find({a: 'x", .privileged), ("db.c.find() /* open", .privileged), ("", .read),
    ]

    @Test(arguments: cases) func classifies(_ code: String, _ expected: SQLClass) {
        let statement = MongoCode.classify(code)
        #expect(statement.sqlClass == expected, "\(statement.kind): \(statement.reason)")
    }

    @Test func namesCollections() {
        #expect(MongoCode.classify("db.users.find(); db.getCollection('orders').insertOne({})").tables == ["orders", "users"])
        #expect(MongoCode.classify("db.users.deleteMany({})").kind == "deleteMany")
    }
}

/// Destructive statements wrapped in random comments, whitespace and letter case never come
/// out read (nor anything short of destructive).
@Suite struct DialectPropertyTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let destructive = [
        "DELETE FROM t", "DELETE FROM t WHERE id = 1", "DROP TABLE t", "DROP TABLE IF EXISTS t", "DROP VIEW v",
        "UPDATE t SET a = 1", "UPDATE t SET a = 1 WHERE 1 = 1", "UPDATE t SET a = 1 WHERE id = 2 OR 1 = 1",
        "ALTER TABLE t DROP COLUMN c", "DELETE FROM t WHERE 'a' = 'a'", "WITH x AS ( SELECT 1 ) DELETE FROM t",
    ]
    static let mysqlOnly = [
        "TRUNCATE TABLE t", "TRUNCATE t", "DROP DATABASE d", "ALTER TABLE t MODIFY a INT", "DROP USER bob",
        "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id",
    ]
    static let benign = ["SELECT 1", "SELECT * FROM u", "BEGIN", "SHOW TABLES"]

    @Test func destructiveNeverReadsAsRead() {
        var rng = SplitMix64(state: 0xA1B2_C3D4)
        for round in 0..<200 {
            let dialect: SQLDialect = rng.next() % 2 == 0 ? .mysql : .sqlite
            let pool = dialect == .mysql ? Self.destructive + Self.mysqlOnly : Self.destructive
            let base = pool[Int(rng.next() % UInt64(pool.count))]
            // An executable comment wraps the whole statement a quarter of the time in MySQL;
            // executable comments do not nest, so the separators then hold none.
            let wrapped = dialect == .mysql && rng.next() % 4 == 0
            var separators = [" ", "  ", "\t", "\n", " \r\n ", "/* c */", "/**/", " -- c\n", "/* ; DROP */"]
            if dialect == .mysql { separators += [" # c\n"] + (wrapped ? [] : ["/*!*/", " /*!50001 */ "]) }
            var text = ""
            for (k, word) in base.split(separator: " ").enumerated() {
                if k > 0 { text += separators[Int(rng.next() % UInt64(separators.count))] }
                text += String(word.map { rng.next() % 2 == 0 ? Character($0.uppercased()) : Character($0.lowercased()) })
            }
            if wrapped {
                text = (rng.next() % 2 == 0 ? "/*!" : "/*!50001") + " " + text + " */"
            }
            if rng.next() % 3 == 0 {
                text = Self.benign[Int(rng.next() % UInt64(Self.benign.count))] + ";" + separators[Int(rng.next() % UInt64(separators.count))] + text
            }
            if rng.next() % 2 == 0 { text += ";" }
            let statements = LexicalSQL.classify("\n " + text + " \t", dialect: dialect)
            let strictest = SQLClassifier.strictest(statements)
            #expect(strictest != .read, "round \(round): \(text.debugDescription)")
            #expect(strictest >= .destructive, "round \(round): \(text.debugDescription) → \(statements.map { "\($0.kind) \($0.sqlClass.rawValue): \($0.reason)" })")
        }
    }
}

/// Random fragments of quotes, comments and keywords: nothing traps, statements are indexed in
/// order, and a statement carries an error exactly when it is unparseable.
@Suite struct DialectFuzzTests {
    static let pieces = [
        "'", "\"", "`", "[", "]", "(", ")", ";", "-", "--", "-- ", "#", "/*", "*/", "/*!", "/*!5000", "/*M!", "!", "\\",
        "\\g", "@", "@@", "?", ":", "$", ".", ",", "=", "<>", "||", " ", "\n", "\t", "\u{01}", "\u{A0}", "é", "1", "0x",
        "SELECT", "DELETE", "UPDATE", "SET", "WHERE", "FROM", "INTO", "OUTFILE", "WITH", "AS", "CASE", "END", "BETWEEN",
        "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "'%'", "CREATE", "TRIGGER", "BEGIN", "TABLE", "t", "PRAGMA",
        "EXPLAIN", "ANALYZE", "DROP", "ALTER", "KEY", "ON", "USING", "db", "find", "drop", "$where", "//", "{", "[op]",
    ]

    @Test func randomFragments() {
        var rng = DialectPropertyTests.SplitMix64(state: 7)
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(rng.next() % 25) {
                text += Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))] + (rng.next() % 3 == 0 ? " " : "")
            }
            for dialect in [SQLDialect.mysql, .sqlite] {
                let statements = LexicalSQL.classify(text, dialect: dialect)
                #expect(statements.map(\.index) == Array(statements.indices), "\(text.debugDescription)")
                #expect(statements.allSatisfy { ($0.sqlClass == .unparseable) == ($0.error != nil) }, "\(text.debugDescription)")
            }
            _ = LexicalSQL.sqliteDotCommand("." + text)
            _ = RedisCommands.classify(text.split(separator: " ").map(String.init))
            _ = MongoCode.classify(text)
        }
    }
}
