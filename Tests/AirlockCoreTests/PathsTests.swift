import AirlockCore
import Testing

@Suite("Paths")
struct PathsTests {
    /// The plain split-and-join normaliser the fast path must agree with.
    func reference(_ path: String, _ base: String) -> String {
        var parts: [Substring] = []
        for component in (path.hasPrefix("/") ? path : base + "/" + path).split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    @Test("normalising agrees with the reference on tricky and random paths")
    func normalize() {
        var cases = ["/", "//", "/a", "/a/", "/a//b", "/a/./b", "/a/../b", "/..", "/a/.", "/a/..", "/a/...", "/a/.b", "/a/..b",
                     "a", "./a", "../a", "a/b/../../..", "", ".", "~", "/home/dev/app/node_modules", "/tmp/x/"]
        var state: UInt64 = 42
        let alphabet = ["/", "a", ".", "..", "b", "//", "./"]
        for _ in 0..<2000 {
            var path = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for shift in stride(from: 0, to: 40, by: 5) { path += alphabet[Int((state >> UInt64(shift)) % UInt64(alphabet.count))] }
            cases.append(path)
        }
        for path in cases {
            #expect(Paths.normalize(path, relativeTo: "/home/dev") == reference(path, "/home/dev"), "\(path)")
        }
    }

    @Test("tilde, containment and basenames")
    func helpers() {
        #expect(Paths.resolve("~", cwd: "/w", home: "/home/u") == "/home/u")
        #expect(Paths.resolve("~/x/../y", cwd: "/w", home: "/home/u") == "/home/u/y")
        #expect(Paths.resolve("~root/.ssh", cwd: "/w", home: "/home/u") == "/root/.ssh")
        #expect(Paths.resolve("../x", cwd: "/w/p", home: "/home/u") == "/w/x")
        #expect(Paths.isInside("/a/b", "/a"))
        #expect(!Paths.isInside("/ab", "/a"))
        #expect(Paths.isInside("/anything", "/"))
        #expect(Paths.basename("/usr/bin/git") == "git")
        #expect(Paths.basename("git") == "git")
    }
}
