/// Glob matching on bytes: `*`, `**`, `?` and `[…]` classes. Used for host, context and
/// binary patterns (where `*` spans everything) and for paths (where `*` stops at `/`).
public enum Glob {
    public static func match(_ pattern: String, _ text: String, pathAware: Bool = false, caseInsensitive: Bool = false) -> Bool {
        // The common case, a pattern without wildcards, is a comparison.
        if isLiteral(pattern) {
            return caseInsensitive ? pattern.utf8.elementsEqual(text.utf8, by: { lower($0) == lower($1) }) : pattern == text
        }
        if caseInsensitive {
            return matchBytes(Array(pattern.utf8).map(lower)[...], Array(text.utf8).map(lower)[...], pathAware: pathAware)
        }
        var pattern = pattern
        var text = text
        let result = pattern.withUTF8 { p in
            text.withUTF8 { t in
                matchBytes(p[...], t[...], pathAware: pathAware)
            }
        }
        return result
    }

    /// True when the pattern has no glob characters, so equality is enough.
    public static func isLiteral(_ pattern: String) -> Bool {
        !pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    // Iterative with a single backtrack point per `*`, as in classic wildcard matchers; `**`
    // in path mode may also cross `/`. Linear enough for the short strings policies match.
    private static func matchBytes<C: RandomAccessCollection>(_ pattern: C, _ text: C, pathAware: Bool) -> Bool
    where C.Element == UInt8, C.Index == Int, C.SubSequence == C {
        var pi = pattern.startIndex
        var ti = text.startIndex
        var starP: Int? = nil
        var starT = 0
        var starCrossesSlash = false
        let slash = UInt8(ascii: "/")
        while ti < text.endIndex {
            if pi < pattern.endIndex {
                let c = pattern[pi]
                if c == UInt8(ascii: "*") {
                    var next = pi + 1
                    var doubled = false
                    if next < pattern.endIndex && pattern[next] == UInt8(ascii: "*") {
                        doubled = true
                        next += 1
                        // `**/` also matches zero directories.
                        if pathAware && next < pattern.endIndex && pattern[next] == slash {
                            if matchBytes(pattern[(next + 1)...], text[ti...], pathAware: true) { return true }
                        }
                    }
                    starP = next
                    starT = ti
                    starCrossesSlash = !pathAware || doubled
                    pi = next
                    continue
                }
                if c == UInt8(ascii: "?") && !(pathAware && text[ti] == slash) {
                    pi += 1; ti += 1; continue
                }
                if c == UInt8(ascii: "["), let (matched, end) = matchClass(pattern, pi, text[ti]) {
                    if matched { pi = end; ti += 1; continue }
                } else if c == text[ti] && c != UInt8(ascii: "?") {
                    pi += 1; ti += 1; continue
                }
            }
            if let sp = starP, starCrossesSlash || text[starT] != slash {
                starT += 1
                ti = starT
                pi = sp
                continue
            }
            return false
        }
        while pi < pattern.endIndex && pattern[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == pattern.endIndex
    }

    /// Matches `[abc]`, `[a-z]`, `[!x]`; nil when the bracket is not a well-formed class
    /// (then it is taken literally).
    private static func matchClass<C: RandomAccessCollection>(_ pattern: C, _ start: Int, _ byte: UInt8) -> (Bool, Int)?
    where C.Element == UInt8, C.Index == Int {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == UInt8(ascii: "]") && !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < pattern.endIndex && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if byte >= c && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if byte == c { matched = true }
                i += 1
            }
        }
        return nil
    }
}
