/// Classifies MongoDB shell code (mongosh `--eval` text or a script). Comments are stripped;
/// a destructive or privileged name anywhere else wins, even inside a string (JavaScript can
/// call `db.c["deleteMany"]()`), while writes and reads are judged on calls in code. Every call
/// must be a known one: an unknown call, a computed member access (`db[name]`) or unreadable
/// text is `privileged`.
public enum MongoCode {
    static let destructiveNames: Set<String> = [
        "dropDatabase", "deleteMany", "deleteOne", "findOneAndDelete", "findAndRemove", "dropIndex", "dropIndexes",
        "renameCollection", "dropUser", "dropAllUsers", "dropAllUsersFromDatabase", "dropRole", "dropAllRoles",
        "dropAllRolesFromDatabase", "dropSearchIndex", "convertToCapped", "removeOne",
    ]
    /// Destructive only when called: `drop(`, `remove(`.
    static let destructiveCalls: Set<String> = ["drop", "remove"]
    /// Destructive as a command document's key: `runCommand({drop: "c"})`, `findAndModify({remove: true})`.
    static let destructiveKeys: Set<String> = [
        "drop", "delete", "remove", "dropDatabase", "dropIndexes", "deleteIndexes", "dropUser", "dropRole",
        "dropAllUsersFromDatabase", "dropAllRolesFromDatabase", "renameCollection", "dropSearchIndex", "emptycapped",
    ]
    static let privilegedNames: Set<String> = [
        "adminCommand", "runCommand", "runCommandWithMetadata", "shutdownServer", "createUser", "updateUser",
        "grantRolesToUser", "revokeRolesFromUser", "createRole", "updateRole", "grantRolesToRole", "revokeRolesFromRole",
        "grantPrivilegesToRole", "revokePrivilegesFromRole", "setParameter", "fsyncLock", "fsyncUnlock", "killOp",
        "setProfilingLevel", "setLogLevel", "setFeatureCompatibilityVersion", "enableSharding", "shardCollection",
        "addShard", "moveChunk", "splitAt", "stepDown", "reconfig", "freeze", "syncFrom", "initiate", "addArb",
        "copyDatabase", "cloneCollection", "child_process", "$where", "$function", "$accumulator",
    ]
    /// Privileged when called: they run code, load files or open connections.
    static let privilegedCalls: Set<String> = [
        "eval", "load", "require", "Function", "Mongo", "connect", "import", "exec", "execSync", "spawn", "spawnSync",
        "setTimeout", "setInterval",
    ]
    static let writeCalls: Set<String> = [
        "insert", "insertOne", "insertMany", "update", "updateOne", "updateMany", "replaceOne", "save",
        "createCollection", "createIndex", "createIndexes", "ensureIndex", "bulkWrite", "initializeOrderedBulkOp",
        "initializeUnorderedBulkOp", "execute", "findOneAndUpdate", "findOneAndReplace", "findAndModify", "createView",
        "hideIndex", "unhideIndex", "mapReduce", "upsert", "createSearchIndex", "updateSearchIndex", "reIndex",
        "createEncryptedCollection",
    ]
    static let writeNames: Set<String> = ["$out", "$merge"]
    static let sessionCalls: Set<String> = ["auth", "logout", "quit", "exit"]
    /// Calls that only read the database or compute in the shell.
    static let readCalls: Set<String> = [
        "find", "findOne", "aggregate", "count", "countDocuments", "estimatedDocumentCount", "distinct",
        "getCollectionNames", "getCollectionInfos", "listCollections", "getIndexes", "getIndexKeys", "getIndices",
        "getIndexSpecs", "stats", "dataSize", "storageSize", "totalSize", "totalIndexSize", "isCapped", "validate",
        "latencyStats", "getShardDistribution", "explain", "serverStatus", "serverBuildInfo", "buildInfo", "version",
        "hostInfo", "isMaster", "hello", "ping", "currentOp", "getProfilingStatus", "getProfilingLevel", "getUsers",
        "getUser", "getRoles", "getRole", "status", "conf", "printReplicationInfo", "printSecondaryReplicationInfo",
        "printShardingStatus", "getReplicationInfo", "getCollection", "getSiblingDB", "getName", "getMongo", "getDB",
        "getDBNames", "getDBs", "listDatabases", "watch", "toArray", "next", "hasNext", "itcount", "size", "pretty",
        "limit", "skip", "sort", "project", "projection", "batchSize", "hint", "maxTimeMS", "comment", "collation",
        "allowDiskUse", "readPref", "readConcern", "noCursorTimeout", "min", "max", "returnKey", "showRecordId",
        "getLogComponents", "serverCmdLineOpts", "getReadPrefMode", "getWriteConcern", "help", "it",
        // Plain JavaScript
        "forEach", "map", "filter", "reduce", "some", "every", "includes", "indexOf", "push", "join", "slice", "split",
        "trim", "toLowerCase", "toUpperCase", "toString", "toFixed", "toISOString", "getTime", "valueOf",
        "hasOwnProperty", "keys", "values", "entries", "fromEntries", "assign", "stringify", "parse", "concat",
        "reverse", "isArray", "parseInt", "parseFloat", "floor", "ceil", "round", "abs", "random", "now", "sleep",
        "print", "printjson", "printjsononeline", "log", "tojson", "Date", "ISODate", "ObjectId", "NumberLong",
        "NumberInt", "NumberDecimal", "Decimal128", "Long", "Int32", "Double", "Timestamp", "UUID", "BinData",
        "HexData", "MinKey", "MaxKey", "RegExp", "Number", "String", "Boolean", "Array", "Object", "Math", "JSON",
    ]
    /// JavaScript keywords that take parentheses without being calls.
    static let keywords: Set<String> = [
        "if", "for", "while", "switch", "catch", "function", "return", "typeof", "await", "do", "else", "with",
        "yield", "async", "new", "in", "of", "void",
    ]

    /// Classifies one piece of MongoDB shell code. `kind` is the operation that decided the
    /// class (`deleteMany`, `find`, `show dbs`), `tables` the collections named.
    public static func classify(_ code: String) -> SQLStatement {
        let text = String(code.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        var reading = Reading(JSText(code))
        reading.judge()
        return SQLStatement(
            index: 0, text: text, kind: reading.kind, sqlClass: reading.sqlClass, tables: reading.collections.sorted(),
            reason: reading.reason
        )
    }

    /// The findings about one piece of code.
    struct Reading {
        let js: JSText
        var findings: [(SQLClass, String, String)] = []  // class, operation, reason
        var collections: Set<String> = []

        init(_ js: JSText) { self.js = js }

        var sqlClass: SQLClass { findings.map(\.0).max() ?? .read }
        var kind: String { findings.first { $0.0 == sqlClass }?.1 ?? "" }
        var reason: String { findings.first { $0.0 == sqlClass }?.2 ?? "no MongoDB code" }

        mutating func note(_ sqlClass: SQLClass, _ operation: String, _ reason: String) {
            findings.append((sqlClass, operation, reason))
        }

        mutating func judge() {
            if let failure = js.failure {
                note(.privileged, "", "the MongoDB code cannot be read: \(failure)")
            }
            // Shell helpers, one to a line.
            var codeLines: [String] = []
            for line in String(decoding: js.stripped, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
                let words = line.split(whereSeparator: \.isWhitespace)
                switch words.first.map(String.init) {
                case "show":
                    let what = words.dropFirst().first.map(String.init) ?? ""
                    note(.read, "show \(what)", "show \(what) lists what the server holds")
                case "use":
                    note(.session, "use", "use switches the current database")
                case let word? where words.count == 1 && ["it", "exit", "quit", "help"].contains(word):
                    note(.read, word, "\(word) is a shell command")
                default:
                    codeLines.append(String(line))
                }
            }
            let stripped = Array(codeLines.joined(separator: "\n").utf8)
            let code = js.code
            let anywhere = JSText.identifiers(in: code)
            for (name, end) in anywhere {
                if MongoCode.destructiveNames.contains(name) {
                    note(.destructive, name, "the MongoDB code calls \(name)")
                } else if MongoCode.privilegedNames.contains(name) {
                    note(.privileged, name, name.hasPrefix("$") ? "\(name) runs JavaScript on the server" : "the MongoDB code calls \(name), which needs or changes privileges")
                } else if MongoCode.writeNames.contains(name) {
                    note(.write, name, "\(name) writes the aggregation's result to a collection")
                }
                if MongoCode.destructiveCalls.contains(name) && JSText.calls(code, at: end, throughQuotes: true) {
                    note(.destructive, name, "the MongoDB code calls \(name)()")
                }
                if MongoCode.destructiveKeys.contains(name) && JSText.isKey(code, at: end) {
                    note(.destructive, name, "the MongoDB command document asks to \(name)")
                }
                if name == "process" && end < code.count && code[end] == UInt8(ascii: ".") {
                    note(.privileged, "process", "the MongoDB code reaches the shell's process")
                }
            }
            // Calls: in code with strings stripped (whitespace allowed before the parenthesis),
            // and, for calls a string would hide from that reading, in the text itself.
            var calls: [String] = []
            for (name, end) in JSText.identifiers(in: stripped) where JSText.calls(stripped, at: end, throughQuotes: false) {
                calls.append(name)
            }
            for (name, end) in anywhere where JSText.callsImmediately(code, at: end) { calls.append(name) }
            var recognised = findings.contains { !$0.1.isEmpty }
            for name in calls where !MongoCode.keywords.contains(name) {
                if MongoCode.destructiveNames.contains(name) || MongoCode.destructiveCalls.contains(name) || MongoCode.privilegedNames.contains(name) {
                    recognised = true
                } else if MongoCode.privilegedCalls.contains(name) {
                    note(.privileged, name, "\(name)() runs code, loads files or opens connections")
                } else if MongoCode.writeCalls.contains(name) {
                    note(.write, name, "the MongoDB code calls \(name)")
                } else if MongoCode.sessionCalls.contains(name) {
                    note(.session, name, "\(name)() changes only this session")
                } else if MongoCode.readCalls.contains(name) {
                    note(.read, name, "the MongoDB code only queries")
                } else {
                    note(.privileged, name, "\(name)() is not a MongoDB shell call Airlock recognises")
                }
                recognised = true
            }
            if let access = JSText.computedAccess(stripped) {
                note(.privileged, "", "the MongoDB code computes a name at run time (\(access))")
            }
            collections = JSText.collections(stripped: stripped, code: code)
            let meaningful = stripped.contains { !SQLLexer.isASCIISpace($0) && $0 != UInt8(ascii: ";") }
            if !recognised && meaningful {
                note(.privileged, "", "the MongoDB code's effect is not recognised")
            }
        }
    }
}

/// MongoDB shell JavaScript with comments removed (`code`) and, besides, with string and
/// regular-expression literals emptied (`stripped`), read closely enough to tell code from text.
struct JSText {
    var code: [UInt8] = []
    var stripped: [UInt8] = []
    var failure: String?

    init(_ text: String) {
        let b = Array(text.utf8)
        var i = 0
        var last: UInt8 = 0  // the last significant byte of code, to tell a regex from division
        func emit(_ c: UInt8) {
            code.append(c)
            stripped.append(c)
            if !SQLLexer.isASCIISpace(c) { last = c }
        }
        while i < b.count {
            let c = b[i]
            let next: UInt8 = i + 1 < b.count ? b[i + 1] : 0
            if c == UInt8(ascii: "/") && next == UInt8(ascii: "/") {
                while i < b.count && b[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            if c == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                var j = i + 2
                while j + 1 < b.count && !(b[j] == UInt8(ascii: "*") && b[j + 1] == UInt8(ascii: "/")) { j += 1 }
                guard j + 1 < b.count else {
                    failure = "a /* comment is never closed"
                    code.append(contentsOf: b[i...])  // still searched for destructive names
                    return
                }
                emit(UInt8(ascii: " "))
                i = j + 2
                continue
            }
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") {
                var j = i + 1
                while j < b.count && b[j] != c {
                    if b[j] == UInt8(ascii: "\\") { j += 1 }
                    else if b[j] == UInt8(ascii: "\n") && c != UInt8(ascii: "`") { break }
                    j += 1
                }
                guard j < b.count && b[j] == c else {
                    failure = "a \(String(decoding: [c], as: UTF8.self)) quote is never closed"
                    code.append(contentsOf: b[i...])  // still searched for destructive names
                    return
                }
                code.append(contentsOf: b[i...j])
                if c == UInt8(ascii: "`") {
                    // Template literals hold code in ${…}: keep them as code.
                    stripped.append(contentsOf: b[i...j])
                } else {
                    stripped.append(contentsOf: [c, c])
                }
                last = UInt8(ascii: "a")
                i = j + 1
                continue
            }
            if c == UInt8(ascii: "/") && Self.regexMayStart(after: last) {
                var j = i + 1
                var inClass = false
                while j < b.count && b[j] != UInt8(ascii: "\n") {
                    if b[j] == UInt8(ascii: "\\") { j += 2; continue }
                    if b[j] == UInt8(ascii: "[") { inClass = true }
                    else if b[j] == UInt8(ascii: "]") { inClass = false }
                    else if b[j] == UInt8(ascii: "/") && !inClass { break }
                    j += 1
                }
                if j < b.count && b[j] == UInt8(ascii: "/") {
                    code.append(contentsOf: b[i...j])
                    stripped.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")])
                    last = UInt8(ascii: "a")
                    i = j + 1
                    continue
                }
            }
            emit(c)
            i += 1
        }
    }

    static func regexMayStart(after last: UInt8) -> Bool {
        last == 0 || Array("(,=:[!&|?{};+-*%<>~^".utf8).contains(last)
    }

    static func isIdentifierByte(_ c: UInt8) -> Bool {
        SQLLexer.isIdentifierPart(c) && c < 0x80
    }

    /// Every identifier (letters, digits, `_`, `$`) and the index after it.
    static func identifiers(in b: [UInt8]) -> [(String, Int)] {
        var result: [(String, Int)] = []
        var i = 0
        while i < b.count {
            guard isIdentifierByte(b[i]) else { i += 1; continue }
            var j = i
            while j < b.count && isIdentifierByte(b[j]) { j += 1 }
            if !SQLLexer.isDigit(b[i]) { result.append((String(decoding: b[i..<j], as: UTF8.self), j)) }
            i = j
        }
        return result
    }

    private static func skipSpaces(_ b: [UInt8], _ i: Int) -> Int {
        var j = i
        while j < b.count && SQLLexer.isASCIISpace(b[j]) { j += 1 }
        return j
    }

    /// Whether `(` follows (after spaces; with `throughQuotes`, also after a closing quote and
    /// `]`, as in `c["drop"](`).
    static func calls(_ b: [UInt8], at end: Int, throughQuotes: Bool) -> Bool {
        var j = skipSpaces(b, end)
        if throughQuotes, j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") || b[j] == UInt8(ascii: "`") {
            j = skipSpaces(b, j + 1)
            if j < b.count, b[j] == UInt8(ascii: "]") { j = skipSpaces(b, j + 1) }
        }
        return j < b.count && b[j] == UInt8(ascii: "(")
    }

    /// `name(` or `name"](` with nothing between.
    static func callsImmediately(_ b: [UInt8], at end: Int) -> Bool {
        var j = end
        if j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") {
            j += 1
            guard j < b.count, b[j] == UInt8(ascii: "]") else { return false }
            j += 1
        }
        return j < b.count && b[j] == UInt8(ascii: "(")
    }

    /// Whether the identifier ending at `end` is an object key: `name:` or `"name":`.
    static func isKey(_ b: [UInt8], at end: Int) -> Bool {
        var j = end
        if j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") { j += 1 }
        j = skipSpaces(b, j)
        return j < b.count && b[j] == UInt8(ascii: ":")
    }

    /// A member access whose name is computed (`db[name]`, `c[op]()`), or nil. Indexing with
    /// a number or a string literal is not computed.
    static func computedAccess(_ b: [UInt8]) -> String? {
        var i = 0
        while i < b.count {
            defer { i += 1 }
            guard b[i] == UInt8(ascii: "[") else { continue }
            var k = i - 1
            while k >= 0 && SQLLexer.isASCIISpace(b[k]) { k -= 1 }
            guard k >= 0, isIdentifierByte(b[k]) || b[k] == UInt8(ascii: ")") || b[k] == UInt8(ascii: "]") else { continue }
            guard let close = b[i...].firstIndex(of: UInt8(ascii: "]")) else { return "an unclosed [" }
            let inside = String(decoding: b[(i + 1)..<close], as: UTF8.self).filter { !$0.isWhitespace }
            if inside.isEmpty || inside == "\"\"" || inside == "''" || inside.allSatisfy(\.isNumber) { continue }
            return "[\(inside)]"
        }
        return nil
    }

    /// Collection names: `db.name.method(` and `db.getCollection("name")`.
    static func collections(stripped: [UInt8], code: [UInt8]) -> Set<String> {
        var result: Set<String> = []
        let words = identifiers(in: stripped)
        for (k, (word, end)) in words.enumerated() where word == "db" && k + 2 < words.count {
            let (name, nameEnd) = words[k + 1]
            let (method, _) = words[k + 2]
            guard end < stripped.count, stripped[end] == UInt8(ascii: "."), nameEnd < stripped.count, stripped[nameEnd] == UInt8(ascii: "."),
                  nameEnd - name.utf8.count == end + 1 else { continue }
            if !MongoCode.readCalls.contains(name) && !MongoCode.writeCalls.contains(name) && !MongoCode.privilegedNames.contains(name)
                && !MongoCode.destructiveNames.contains(name) && !MongoCode.sessionCalls.contains(name) && !method.isEmpty {
                result.insert(name)
            }
        }
        for (word, end) in identifiers(in: code) where word == "getCollection" {
            var j = skipSpaces(code, end)
            guard j < code.count, code[j] == UInt8(ascii: "(") else { continue }
            j = skipSpaces(code, j + 1)
            guard j < code.count, code[j] == UInt8(ascii: "\"") || code[j] == UInt8(ascii: "'") else { continue }
            let quote = code[j]
            guard let close = code[(j + 1)...].firstIndex(of: quote) else { continue }
            result.insert(String(decoding: code[(j + 1)..<close], as: UTF8.self))
        }
        return result
    }
}
