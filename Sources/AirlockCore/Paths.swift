/// Pure path arithmetic: normalising, tilde expansion and containment, without touching disk.
public enum Paths {
    /// `path` made absolute against `base` with `.`/`..`/duplicate slashes resolved lexically.
    public static func normalize(_ path: String, relativeTo base: String) -> String {
        if isNormalAbsolute(path) { return path }
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for component in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// An absolute path with no empty, `.` or `..` components and no trailing slash: already
    /// normal, so most paths skip the split and join.
    static func isNormalAbsolute(_ path: String) -> Bool {
        var previous: UInt8 = 0
        var componentStart = true
        var dots = 0
        var first = true
        for byte in path.utf8 {
            if first {
                guard byte == UInt8(ascii: "/") else { return false }
                first = false
                previous = byte
                continue
            }
            if byte == UInt8(ascii: "/") {
                if previous == UInt8(ascii: "/") || (componentStart && dots > 0) { return false }
                componentStart = true
                dots = 0
            } else if byte == UInt8(ascii: ".") && componentStart {
                dots += 1
            } else {
                componentStart = false
                dots = 0
            }
            previous = byte
        }
        if first { return false }
        if path.utf8.count > 1 && previous == UInt8(ascii: "/") { return false }
        return !(componentStart && dots > 0 && dots <= 2)
    }

    /// Resolves `~` and `~/…` against `home`, then normalises against `cwd`. `~user` forms are
    /// resolved to `/home/user` (the common layout), which is what a destructive check needs.
    public static func resolve(_ path: String, cwd: String, home: String) -> String {
        if path == "~" { return normalize(home, relativeTo: "/") }
        if path.hasPrefix("~/") { return normalize(home + path.dropFirst(1), relativeTo: "/") }
        if path.hasPrefix("~") {
            let rest = path.dropFirst()
            let user = rest.prefix { $0 != "/" }
            let tail = rest.dropFirst(user.count)
            let userHome = user == "root" ? "/root" : "/home/" + user
            return normalize(userHome + tail, relativeTo: "/")
        }
        return normalize(path, relativeTo: cwd)
    }

    /// True when `path` is `directory` itself or inside it (both absolute, normalised).
    public static func isInside(_ path: String, _ directory: String) -> Bool {
        if directory == "/" { return true }
        return path == directory || path.hasPrefix(directory + "/")
    }

    /// The last component of a path (`/usr/bin/git` → `git`).
    public static func basename(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        let name = path[path.utf8.index(after: slash)...]
        return name.isEmpty ? path : String(name)
    }
}
