import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the journal needs, each failing with the path and the
/// system's reason. POSIX rather than Foundation because durability needs fsync of files and
/// of directories, and exclusive creation.
enum JournalFiles {
    static func reason() -> String { String(cString: strerror(errno)) }

    /// Creates `path` with mode 0700; `exclusive` fails if it exists, otherwise an existing
    /// directory is fine.
    static func makeDirectory(_ path: String, exclusive: Bool) throws {
        if mkdir(path, 0o700) == 0 { return }
        if errno == EEXIST && !exclusive {
            var info = stat()
            if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw JournalError("\(path) exists and is not a directory")
        }
        throw JournalError("cannot create \(path): \(reason())")
    }

    /// Opens a new file for writing, mode 0600, failing if it exists.
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError("cannot create \(path): \(reason())") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw JournalError("cannot write \(path): \(reason())") }
            offset += written
        }
    }

    static func sync(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw JournalError("cannot flush \(path) to disk: \(reason())") }
    }

    /// fsync of a directory: makes the names created or renamed in it durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot open \(path): \(reason())") }
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same directory, fsync and
    /// rename: a reader sees the old file or the whole new one, never a part.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let fd = try create(temporary)
        do {
            try bytes.withUnsafeBytes { (raw) throws in try writeAll(fd, raw, path: temporary) }
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let why = reason()
            unlink(temporary)
            throw JournalError("cannot rename \(temporary) to \(path): \(why)")
        }
        try syncDirectory(directory)
    }

    /// The whole file (for small files: manifests).
    static func read(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot read \(path): \(reason())") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw JournalError("cannot read \(path): \(reason())") }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= limit else { throw JournalError("\(path) is larger than \(limit) bytes") }
        }
    }

    /// Hex SHA-256 and size of a file, read in chunks.
    static func digest(_ path: String) throws -> (sha256: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("cannot read \(path): \(reason())") }
        defer { close(fd) }
        var hasher = SHA256()
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw JournalError("cannot read \(path): \(reason())") }
            if count == 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            total += count
        }
        return (hex(hasher.finalize()), total)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in a directory (without `.` and `..`); empty when it does not exist.
    static func names(in path: String) throws -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return [] }
            throw JournalError("cannot list \(path): \(reason())")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a directory and the files in it (the journal's directories hold no
    /// subdirectories).
    static func removeTree(_ path: String) {
        for name in (try? names(in: path)) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}

/// `read(2)`, under a name no method here shadows.
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// `close(2)`, under a name no method here shadows.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
