/// The parts of a URL or connection string that locate a target: scheme, host, port, path.
/// Accepts `scheme://user:pass@host:port/path?query`, bracketed IPv6 hosts, and scp-like
/// `user@host:path` (git remotes).
struct URLParts: Sendable, Hashable {
    var scheme: String?
    var host: String
    var port: String?
    var path: String

    init?(_ text: String) {
        var rest = Substring(text)
        if let range = rest.firstRange(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        } else if let at = rest.firstIndex(of: "@"), let colon = rest[at...].firstIndex(of: ":"), rest.firstIndex(of: "/").map({ $0 > colon }) ?? true {
            // scp-like: git@github.com:org/repo.git
            scheme = nil
            host = String(rest[rest.index(after: at)..<colon])
            path = String(rest[rest.index(after: colon)...])
            port = nil
            if host.isEmpty { return nil }
            return
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        // Several hosts (`postgres://h1,h2/db`): keep the first; the caller may split further.
        if authority.hasPrefix("[") , let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : nil
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = nil
        }
        host = host.lowercased()
        if host.isEmpty {
            // `postgresql:///db?host=/var/run/postgresql` and friends.
            if let query = path.firstRange(of: "host=") {
                let value = path[query.upperBound...].prefix { $0 != "&" }
                host = Self.percentDecoded(String(value))
            }
        }
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A database or service location: a host target, or a local socket when the host is empty or
/// a directory path.
enum ServiceTarget {
    static func forHost(_ host: String, source: String) -> Target {
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("@") {
            return Target(.socket, host.isEmpty ? "default socket" : host, source: source)
        }
        return Target(.host, host.lowercased(), source: source)
    }

    /// Splits `h1,h2` host lists (libpq allows several).
    static func forHosts(_ hosts: String, source: String) -> [Target] {
        hosts.split(separator: ",").map { forHost($0.trimmingSpaces(), source: source) }
    }
}
