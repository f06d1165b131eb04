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
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ["HOME": home.path, "AIRLOCK_HOME": home.appendingPathComponent(".airlock").path, "PATH": "/usr/bin:/bin", "USER": "tester"]
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: cwd ?? home.path)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
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

    /// Runs `airlock ARGS` attached to a pseudo-terminal (through `script`), as a person at a
    /// terminal would; `stdin` is typed into it. Output comes back with the terminal's CRLFs
    /// turned into plain newlines. `asUser` runs it as another OS account (root only).
    func runInTerminal(_ arguments: [String], environment extra: [String: String] = [:], asUser: String? = nil, typing: String? = nil) throws -> Result {
        let quoted = ([Self.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command = asUser.map { "runuser -u \($0) -- " + quoted } ?? quoted
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        var environment = ["HOME": home.path, "AIRLOCK_HOME": home.appendingPathComponent(".airlock").path, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "USER": "tester", "TERM": "dumb"]
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = home
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let keyboard = Pipe()
        process.standardInput = typing == nil ? FileHandle.nullDevice : keyboard
        try process.run()
        if let typing {
            keyboard.fileHandleForWriting.write(Data(typing.utf8))
            try keyboard.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        func clean(_ data: Data) -> String { String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") }
        return Result(status: process.terminationStatus, stdout: clean(stdout), stderr: clean(stderr))
    }

    func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
