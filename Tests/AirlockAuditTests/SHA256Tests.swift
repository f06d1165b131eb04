import Foundation
import Testing
@testable import AirlockAudit

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nistVectors(message: String, digest: String) {
        #expect(hex(SHA256.hash(Array(message.utf8))) == digest)
        #expect(hex(SHA256.hash(message.utf8)) == digest)
    }

    @Test func oneMillionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == expected)
        // Fed in odd-sized pieces, so partial blocks are carried across every offset.
        var hasher = SHA256.Hasher()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
        var fed = 0
        while fed < 1_000_000 {
            let n = min(piece.count, 1_000_000 - fed)
            hasher.update(piece[0 ..< n])
            fed += n
        }
        #expect(hex(hasher.finalize()) == expected)
    }

    @Test func incrementalMatchesOneShotAtEverySplit() {
        var rng = SeededGenerator(seed: 1)
        let data = rng.bytes(200)
        let whole = SHA256.hash(data)
        for split in 0 ... data.count {
            var hasher = SHA256.Hasher()
            hasher.update(data[..<split])
            hasher.update(data[split...])
            #expect(hasher.finalize() == whole, "split at \(split)")
        }
        var byteByByte = SHA256.Hasher()
        for byte in data { byteByByte.update(byte: byte) }
        #expect(byteByByte.finalize() == whole)
    }

    @Test func finalizeLeavesTheHasherUsable() {
        var hasher = SHA256.Hasher()
        hasher.update(Array("ab".utf8))
        #expect(hasher.finalize() == SHA256.hash(Array("ab".utf8)))
        hasher.update(Array("c".utf8))
        #expect(hex(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func nonContiguousInputTakesTheSlowPathCorrectly() {
        for count in [0, 1, 63, 64, 65, 130, 1000] {
            let lazy = (0 ..< count).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
            #expect(SHA256.hash(lazy) == SHA256.hash(Array(lazy)), "count \(count)")
        }
    }

    /// Every length from 0 to 300 (all padding cases, 1–5 blocks) and a few megabytes, against
    /// coreutils' sha256sum, in one process run.
    @Test func agreesWithSha256sum() throws {
        let tool = URL(fileURLWithPath: "/usr/bin/sha256sum")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-sha256-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var rng = SeededGenerator(seed: 42)
        var inputs: [(name: String, data: [UInt8])] = (0 ... 300).map { ("len\($0)", rng.bytes($0)) }
        for size in [1 << 20, 3 * (1 << 20) + 17, 5_000_001] {
            inputs.append(("big\(size)", rng.bytes(size)))
        }
        for input in inputs {
            try Data(input.data).write(to: directory.appendingPathComponent(input.name))
        }
        let process = Process()
        process.executableURL = tool
        process.currentDirectoryURL = directory
        process.arguments = inputs.map(\.name)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var expected: [String: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2 else { continue }
            expected[String(fields[1])] = String(fields[0])
        }
        #expect(expected.count == inputs.count)
        for input in inputs {
            #expect(hex(SHA256.hash(input.data)) == expected[input.name], "\(input.name)")
        }
    }
}
