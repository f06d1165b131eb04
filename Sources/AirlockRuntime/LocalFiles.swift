import AirlockCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system as a `FileSource`: regular files only, bounded in size, read with
/// plain system calls (this runs on every hook invocation, so it stays small and fast).
public struct LocalFiles: FileSource {
    public var maxSize: Int

    public init(maxSize: Int = 1 << 20) { self.maxSize = maxSize }

    public func contents(of absolutePath: String) -> String? {
        let fd = open(absolutePath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            // A symlink (O_NOFOLLOW refused it): follow it, but only to a regular file.
            guard errno == ELOOP else { return nil }
            let followed = open(absolutePath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard followed >= 0 else { return nil }
            return read(fd: followed)
        }
        return read(fd: fd)
    }

    private func read(fd: Int32) -> String? {
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maxSize else { return nil }
        var buffer = [UInt8](repeating: 0, count: Int(info.st_size))
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress.map { $0 + total }, raw.count - total)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
        return String(decoding: buffer[..<total], as: UTF8.self)
    }
}

/// Facts about the process Airlock runs in.
public enum ProcessFacts {
    public static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        // Split on bytes: Character-wise search walks grapheme clusters, and a developer's
        // environment (PATH, LS_COLORS …) made it a tenth of a hook call's work.
        while let entry = pointer.pointee {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
                result[String(decoding: bytes[..<eq], as: UTF8.self)] = String(decoding: bytes[(eq + 1)...], as: UTF8.self)
            }
            pointer += 1
        }
        return result
    }

    public static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func userName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid-\(geteuid())"
    }

    public static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], home.hasPrefix("/") { return home }
        if let entry = getpwuid(geteuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Whether any of this process's arguments is not valid UTF-8.
    public static func argumentsHaveInvalidUTF8() -> Bool {
        let argv = CommandLine.unsafeArgv
        for index in 0..<Int(CommandLine.argc) {
            guard let pointer = argv[index] else { continue }
            if String(validatingCString: pointer) == nil { return true }
        }
        return false
    }
}

/// Writes to standard output and error without Foundation.
public enum Console {
    public static func out(_ text: String) {
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        write(1, line)
    }

    public static func err(_ text: String) {
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        write(2, line)
    }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
