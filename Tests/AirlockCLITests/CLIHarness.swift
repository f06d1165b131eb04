import Foundation
import Testing

/// Runs the real `airlock` binary built next to the tests, in a scratch home, as a user would.
struct CLIHarness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    static var binary: URL {
        // Tests run from <build>/debug/AirlockPackageTests.xctest; the products sit beside it.
        var directory = Bundle.main.bundleURL
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("airlock")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/airlock")
    }

    func write(_ relative: String, _ text: String) throws {
        let url = home.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs `airlock ARGS` with a clean environment: HOME and AIRLOCK_HOME inside the scratch dir.
    func run(_ arguments: [String], environment extra: [String: String] = [:], cwd: String? = nil, stdin: String? = nil) throws -> Result {
        try launch(Self.binary, arguments, environment: extra, cwd: URL(fileURLWithPath: cwd ?? home.path), stdin: stdin)
    }

    /// Runs `airlock ARGS` attached to a pseudo-terminal (through `script`), as a person at a
    /// terminal would; `typing` is typed into it. Output comes back with the terminal's CRLFs
    /// turned into plain newlines. `asUser` runs it as another OS account (root only).
    func runInTerminal(_ arguments: [String], environment extra: [String: String] = [:], asUser: String? = nil, typing: String? = nil) throws -> Result {
        let quoted = ([Self.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command = asUser.map { "runuser -u \($0) -- " + quoted } ?? quoted
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "dumb"]
        for (key, value) in extra { environment[key] = value }
        var result = try launch(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], environment: environment, cwd: home, stdin: typing)
        result.stdout = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        result.stderr = result.stderr.replacingOccurrences(of: "\r\n", with: "\n")
        return result
    }

    /// Starts a program in the scratch home's environment (plus `extra`), feeds it `stdin`
    /// (none: /dev/null) and collects its output and status.
    private func launch(_ executable: URL, _ arguments: [String], environment extra: [String: String], cwd: URL, stdin: String?) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ["HOME": home.path, "AIRLOCK_HOME": home.appendingPathComponent(".airlock").path, "PATH": "/usr/bin:/bin", "USER": "tester"]
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
