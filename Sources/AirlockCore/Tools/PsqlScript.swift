/// psql's input split the way psql splits it: SQL goes to the server, backslash meta-commands
/// (`\dt`, `\i file`, `\! shell`, `\copy`, `\gexec`) are run by psql itself. A backslash starts a
/// meta-command only outside quotes, dollar quotes and comments, and the meta-command runs to
/// the end of the line (or to a `\\` separator).
struct PsqlScript: Equatable {
    struct MetaCommand: Equatable {
        var command: String
        var argument: String
    }

    var sql: String
    var metaCommands: [MetaCommand]

    init(_ text: String) {
        let bytes = Array(text.utf8)
        var sql: [UInt8] = []
        var metas: [MetaCommand] = []
        var i = 0
        let n = bytes.count
        func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
        while i < n {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "'"):
                // E'…' strings take backslash escapes; standard strings do not.
                let escapes = i > 0 && (bytes[i - 1] == UInt8(ascii: "E") || bytes[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !Self.isWord(bytes[i - 2]))
                var j = i + 1
                while j < n {
                    if escapes && bytes[j] == UInt8(ascii: "\\") { j += 2; continue }
                    if bytes[j] == UInt8(ascii: "'") {
                        if at(j + 1) == UInt8(ascii: "'") { j += 2; continue }
                        break
                    }
                    j += 1
                }
                let end = min(j + 1, n)
                sql.append(contentsOf: bytes[i..<end])
                i = end
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < n {
                    if bytes[j] == UInt8(ascii: "\"") {
                        if at(j + 1) == UInt8(ascii: "\"") { j += 2; continue }
                        break
                    }
                    j += 1
                }
                let end = min(j + 1, n)
                sql.append(contentsOf: bytes[i..<end])
                i = end
            case UInt8(ascii: "-") where at(i + 1) == UInt8(ascii: "-"):
                var j = i
                while j < n && bytes[j] != 0x0A { j += 1 }
                sql.append(contentsOf: bytes[i..<j])
                i = j
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "*"):
                var depth = 1
                var j = i + 2
                while j < n && depth > 0 {
                    if bytes[j] == UInt8(ascii: "/") && at(j + 1) == UInt8(ascii: "*") { depth += 1; j += 2; continue }
                    if bytes[j] == UInt8(ascii: "*") && at(j + 1) == UInt8(ascii: "/") { depth -= 1; j += 2; continue }
                    j += 1
                }
                let end = min(j, n)
                sql.append(contentsOf: bytes[i..<end])
                i = end
            case UInt8(ascii: "$") where i == 0 || !Self.isWord(bytes[i - 1]):
                var j = i + 1
                while j < n, Self.isWord(bytes[j]), !(bytes[j] >= 0x30 && bytes[j] <= 0x39 && j == i + 1) { j += 1 }
                guard j < n, bytes[j] == UInt8(ascii: "$") else {
                    sql.append(c)
                    i += 1
                    continue
                }
                let tag = Array(bytes[i...j])
                var k = j + 1
                var close = n
                while k + tag.count <= n {
                    if bytes[k] == tag[0] && Array(bytes[k..<(k + tag.count)]) == tag { close = k + tag.count; break }
                    k += 1
                }
                sql.append(contentsOf: bytes[i..<close])
                i = close
            case UInt8(ascii: "\\"):
                var j = i
                while j < n && bytes[j] != 0x0A {
                    if bytes[j] == UInt8(ascii: "\\") && at(j + 1) == UInt8(ascii: "\\") && j > i { break }
                    j += 1
                }
                let line = String(decoding: bytes[i..<j], as: UTF8.self)
                let command = String(line.prefix { $0 != " " && $0 != "\t" })
                let argument = String(line.dropFirst(command.count)).trimmingSpaces()
                metas.append(MetaCommand(command: command, argument: argument))
                // A meta-command like \g or \gexec ends the statement before it.
                sql.append(UInt8(ascii: ";"))
                sql.append(0x0A)
                i = (j < n && bytes[j] == UInt8(ascii: "\\")) ? j + 2 : j
            default:
                sql.append(c)
                i += 1
            }
        }
        self.sql = String(decoding: sql, as: UTF8.self)
        self.metaCommands = metas
    }

    static func isWord(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 95 || byte >= 128
    }
}
