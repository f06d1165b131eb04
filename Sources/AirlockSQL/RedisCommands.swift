/// Classifies Redis commands, given as the words redis-cli would send. Commands are matched by
/// name (case-insensitively) against lists of reads, session commands, writes and destructive
/// commands; container commands (`CONFIG`, `CLIENT`, `SCRIPT`, `ACL`, …) by their subcommand.
/// Anything not listed, including module commands, is `privileged`.
public enum RedisCommands {
    static let reads: Set<String> = [
        "GET", "MGET", "GETRANGE", "SUBSTR", "STRLEN", "EXISTS", "TYPE", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME",
        "KEYS", "SCAN", "HGET", "HMGET", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSTRLEN", "HSCAN",
        "HRANDFIELD", "LRANGE", "LLEN", "LINDEX", "LPOS", "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SSCAN",
        "SRANDMEMBER", "SINTER", "SUNION", "SDIFF", "SINTERCARD", "ZRANGE", "ZRANGEBYSCORE", "ZRANGEBYLEX",
        "ZREVRANGE", "ZREVRANGEBYSCORE", "ZREVRANGEBYLEX", "ZSCORE", "ZMSCORE", "ZCARD", "ZCOUNT", "ZLEXCOUNT", "ZRANK",
        "ZREVRANK", "ZSCAN", "ZRANDMEMBER", "ZINTER", "ZUNION", "ZDIFF", "ZINTERCARD", "INFO", "ECHO", "DBSIZE",
        "TIME", "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "XRANGE", "XREVRANGE", "XLEN", "XREAD", "XPENDING", "PFCOUNT", "GETBIT", "BITCOUNT", "BITPOS",
        "BITFIELD_RO", "DUMP", "RANDOMKEY", "LASTSAVE", "ROLE", "GEOPOS", "GEODIST", "GEOHASH", "GEOSEARCH",
        "GEORADIUS_RO", "GEORADIUSBYMEMBER_RO", "LCS", "SORT_RO", "TOUCH", "WAIT", "WAITAOF",
    ]
    static let session: Set<String> = [
        "SELECT", "AUTH", "HELLO", "READONLY", "READWRITE", "PING", "QUIT", "RESET", "MULTI", "EXEC", "DISCARD",
        "WATCH", "UNWATCH",
    ]
    static let writes: Set<String> = [
        "SET", "SETNX", "SETEX", "PSETEX", "MSET", "MSETNX", "GETSET", "GETEX", "APPEND", "SETRANGE", "INCR", "INCRBY",
        "INCRBYFLOAT", "DECR", "DECRBY", "HSET", "HSETNX", "HMSET", "HINCRBY", "HINCRBYFLOAT", "LPUSH", "RPUSH",
        "LPUSHX", "RPUSHX", "LINSERT", "LSET", "LPOP", "RPOP", "BLPOP", "BRPOP", "LMPOP", "BLMPOP", "RPOPLPUSH",
        "BRPOPLPUSH", "LMOVE", "BLMOVE", "SADD", "SPOP", "SMOVE", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "ZADD",
        "ZINCRBY", "ZPOPMIN", "ZPOPMAX", "BZPOPMIN", "BZPOPMAX", "ZMPOP", "BZMPOP", "ZUNIONSTORE", "ZINTERSTORE",
        "ZDIFFSTORE", "ZRANGESTORE", "PFADD", "PFMERGE", "SETBIT", "BITFIELD", "BITOP", "GEOADD", "GEORADIUS",
        "GEORADIUSBYMEMBER", "GEOSEARCHSTORE", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST", "RENAME",
        "RENAMENX", "COPY", "PUBLISH", "SPUBLISH", "XADD", "XREADGROUP", "XACK", "XCLAIM", "XAUTOCLAIM", "XSETID",
        "HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT", "HPERSIST", "HGETDEL", "HGETEX", "HSETEX",
    ]
    /// Commands that remove data: whole keys, members of a key, databases, or the server.
    static let destructive: [String: String] = [
        "FLUSHALL": "FLUSHALL deletes every key in every database",
        "FLUSHDB": "FLUSHDB deletes every key in the database",
        "DEL": "DEL deletes keys",
        "UNLINK": "UNLINK deletes keys",
        "GETDEL": "GETDEL deletes the key it reads",
        "HDEL": "HDEL deletes fields of a hash",
        "SREM": "SREM deletes members of a set",
        "ZREM": "ZREM deletes members of a sorted set",
        "ZREMRANGEBYSCORE": "ZREMRANGEBYSCORE deletes a range of a sorted set",
        "ZREMRANGEBYRANK": "ZREMRANGEBYRANK deletes a range of a sorted set",
        "ZREMRANGEBYLEX": "ZREMRANGEBYLEX deletes a range of a sorted set",
        "LREM": "LREM deletes elements of a list",
        "LTRIM": "LTRIM deletes the elements of a list outside a range",
        "XDEL": "XDEL deletes stream entries",
        "XTRIM": "XTRIM deletes old stream entries",
        "SHUTDOWN": "SHUTDOWN stops the server",
        "SWAPDB": "SWAPDB swaps two databases under every client",
        "MIGRATE": "MIGRATE moves keys to another server, deleting them here",
        "MOVE": "MOVE moves a key to another database, deleting it here",
    ]
    static let privileged: [String: String] = [
        "DEBUG": "DEBUG can crash, stall or reload the server",
        "REPLICAOF": "REPLICAOF makes the server a replica, replacing its data",
        "SLAVEOF": "SLAVEOF makes the server a replica, replacing its data",
        "FAILOVER": "FAILOVER hands the primary role to a replica",
        "EVAL": "EVAL runs a Lua script on the server",
        "EVALSHA": "EVALSHA runs a Lua script on the server",
        "EVAL_RO": "EVAL_RO runs a Lua script on the server",
        "EVALSHA_RO": "EVALSHA_RO runs a Lua script on the server",
        "FCALL": "FCALL runs a server-side function",
        "FCALL_RO": "FCALL_RO runs a server-side function",
        "SAVE": "SAVE writes a snapshot to the server's disk",
        "BGSAVE": "BGSAVE writes a snapshot to the server's disk",
        "BGREWRITEAOF": "BGREWRITEAOF rewrites the server's append-only file",
        "SYNC": "SYNC copies the whole dataset as a replica would",
        "PSYNC": "PSYNC copies the dataset as a replica would",
    ]

    /// Container commands: kind is two words, and the subcommand decides.
    static let containers: Set<String> = [
        "CONFIG", "CLIENT", "SCRIPT", "FUNCTION", "ACL", "MODULE", "MEMORY", "OBJECT", "SLOWLOG", "LATENCY", "COMMAND",
        "PUBSUB", "XINFO", "XGROUP", "CLUSTER", "DEBUG",
    ]

    /// Classifies one command. `text` is the words joined by spaces; `kind` the command name
    /// upper-cased, with the subcommand for container commands (`CONFIG SET`, `CLIENT KILL`).
    /// A leading repeat count (`3 INCR x`, as redis-cli accepts) is skipped.
    public static func classify(_ words: [String]) -> SQLStatement {
        let text = words.joined(separator: " ")
        var words = words[...]
        if words.count > 1, let first = words.first, !first.isEmpty, first.utf8.allSatisfy(SQLLexer.isDigit) {
            words = words.dropFirst()
        }
        guard let name = words.first.map({ SQLLexer.asciiUpper($0) }) else {
            return SQLStatement(index: 0, text: text, kind: "", sqlClass: .read, reason: "no command")
        }
        let sub = words.dropFirst().first.map { SQLLexer.asciiUpper($0) } ?? ""
        let arguments = words.dropFirst().map { SQLLexer.asciiUpper($0) }
        let kind = containers.contains(name) && !sub.isEmpty ? "\(name) \(sub)" : name
        let (sqlClass, reason) = judge(name, sub: sub, arguments: arguments)
        return SQLStatement(index: 0, text: text, kind: kind, sqlClass: sqlClass, reason: reason)
    }

    static func judge(_ name: String, sub: String, arguments: [String]) -> (SQLClass, String) {
        if containers.contains(name) { return container(name, sub) }
        if let reason = destructive[name] { return (.destructive, reason) }
        if let reason = privileged[name] { return (.privileged, reason) }
        switch name {
        case "RESTORE":
            return arguments.contains("REPLACE") ? (.destructive, "RESTORE … REPLACE overwrites an existing key") : (.write, "RESTORE creates a key from a dump")
        case "SORT":
            return arguments.contains("STORE") ? (.write, "SORT … STORE writes the result to a key") : (.read, "SORT reads")
        case "COPY" where arguments.contains("REPLACE"):
            return (.write, "COPY … REPLACE overwrites the destination key")
        default: break
        }
        if session.contains(name) { return (.session, "\(name) changes only this connection") }
        if reads.contains(name) { return (.read, "\(name) reads") }
        if writes.contains(name) { return (.write, "\(name) writes") }
        return (.privileged, "\(name) is not a Redis command Airlock recognises")
    }

    static func container(_ name: String, _ sub: String) -> (SQLClass, String) {
        let both = "\(name) \(sub)"
        switch name {
        case "CONFIG":
            return sub == "GET" ? (.read, "CONFIG GET reads the configuration") : (.privileged, "\(both) reconfigures the server")
        case "CLIENT":
            switch sub {
            case "SETNAME", "SETINFO", "TRACKING", "REPLY", "CACHING", "NO-TOUCH": return (.session, "\(both) changes only this connection")
            case "GETNAME", "ID", "INFO", "LIST", "GETREDIR", "TRACKINGINFO", "HELP": return (.read, "\(both) reads")
            default: return (.privileged, "\(both) acts on other clients")
            }
        case "SCRIPT", "FUNCTION":
            switch sub {
            case "FLUSH", "DELETE": return (.destructive, "\(both) deletes server-side code")
            case "EXISTS", "LIST", "DUMP", "STATS", "HELP": return (.read, "\(both) reads")
            default: return (.privileged, "\(both) loads, runs or stops server-side code")
            }
        case "ACL":
            switch sub {
            case "DELUSER": return (.destructive, "ACL DELUSER deletes users")
            case "LIST", "USERS", "WHOAMI", "CAT", "GETUSER", "GENPASS", "DRYRUN", "HELP": return (.read, "\(both) reads")
            default: return (.privileged, "\(both) changes users and permissions")
            }
        case "MODULE":
            return sub == "LIST" ? (.read, "MODULE LIST reads") : (.privileged, "\(both) loads or unloads native code")
        case "MEMORY":
            return sub == "PURGE" ? (.privileged, "MEMORY PURGE acts on the server's allocator") : (.read, "\(both) reads")
        case "SLOWLOG", "LATENCY":
            return sub == "RESET" ? (.privileged, "\(both) clears the server's diagnostics") : (.read, "\(both) reads")
        case "OBJECT", "COMMAND", "PUBSUB", "XINFO":
            return (.read, sub.isEmpty ? "\(name) reads" : "\(both) reads")
        case "XGROUP":
            switch sub {
            case "DESTROY", "DELCONSUMER": return (.destructive, "\(both) deletes a consumer group or consumer")
            case "CREATE", "CREATECONSUMER", "SETID": return (.write, "\(both) writes")
            default: return (.privileged, "\(both) is not recognised")
            }
        case "CLUSTER":
            switch sub {
            case "INFO", "NODES", "SLOTS", "SHARDS", "KEYSLOT", "COUNTKEYSINSLOT", "GETKEYSINSLOT", "MYID", "MYSHARDID", "LINKS", "REPLICAS", "SLAVES", "COUNT-FAILURE-REPORTS", "HELP":
                return (.read, "\(both) reads")
            case "RESET", "FLUSHSLOTS", "DELSLOTS", "DELSLOTSRANGE", "FORGET":
                return (.destructive, "\(both) removes data or nodes from the cluster")
            default:
                return (.privileged, "\(both) reconfigures the cluster")
            }
        default:
            return (.privileged, "\(both) can crash, stall or reload the server")
        }
    }
}
