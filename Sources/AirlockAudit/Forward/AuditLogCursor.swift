#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the log's whole lines from a byte offset onwards, so followers (`tail -f`, `forward
/// --follow`) touch only what was appended since they last looked. A line still being written
/// (no newline yet) is left for the next read.
public struct AuditLogCursor: Sendable {
    public let path: String
    /// Where the next unread line starts.
    public var offset: Int

    public init(path: String, offset: Int = 0) {
        self.path = path
        self.offset = offset
    }

    /// Whole lines (without their newline) from `offset`, at most about `maximumBytes` of them,
    /// advancing `offset` past what was returned. A missing log reads as empty.
    public mutating func read(maximumBytes: Int = 4 << 20) throws(AuditError) -> [[UInt8]] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw .system("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("stat", path) }
        let size = Int(info.st_size)
        // The log shrank below where we were: it was replaced, so the position means nothing.
        if size < offset { throw AuditError("the audit log \(path) is shorter (\(size) bytes) than the position already read (\(offset)): it was truncated or replaced") }
        let startOffset = offset
        var lines: [[UInt8]] = []
        var pending: [UInt8] = []
        var position = offset
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while position < size {
            let want = min(chunk.count, size - position)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(position)) }
            if got < 0 { if errno == EINTR { continue }; throw .system("read", path) }
            if got == 0 { break }
            position += got
            var start = 0
            for index in 0..<got where chunk[index] == 0x0A {
                pending.append(contentsOf: chunk[start..<index])
                offset += pending.count + 1
                lines.append(pending)
                pending = []
                start = index + 1
            }
            pending.append(contentsOf: chunk[start..<got])
            if offset - startOffset >= maximumBytes { break }
        }
        return lines
    }
}
