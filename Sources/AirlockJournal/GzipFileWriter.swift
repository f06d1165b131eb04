import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams bytes through deflate into a new gzip file, hashing the compressed bytes as they are
/// written: memory stays at zlib's window and one output buffer however large the table.
final class GzipFileWriter {
    let path: String
    private var fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 1 << 16)
    private var hasher = SHA256()
    private(set) var compressedBytes = 0
    private var finished = false

    /// Level 1: a snapshot runs while the statement it protects waits, so speed matters more
    /// than the last tenth of the size.
    init(path: String, level: Int32 = 1) throws {
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = airlock_deflate_init_gzip(stream, level)
        guard status == Z_OK else {
            stream.deallocate()
            throw JournalError("cannot start compressing \(path) (zlib status \(status))")
        }
        do { fd = try JournalFiles.create(path) } catch {
            deflateEnd(stream)
            stream.deallocate()
            throw error
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        var remaining = bytes
        // avail_in is 32 bits: feed at most 1 GiB at a time.
        while !remaining.isEmpty {
            let piece = UnsafeRawBufferPointer(rebasing: remaining.prefix(1 << 30))
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(piece.count))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: piece.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = UInt32(piece.count)
            try run(flush: Z_NO_FLUSH)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { (raw) throws in try write(raw) }
    }

    /// Ends the gzip stream, writes its trailer, and makes the file durable. Returns the hex
    /// SHA-256 and size of the compressed file.
    func finish() throws -> (sha256: String, bytes: Int) {
        guard !finished else { throw JournalError("\(path) was already finished") }
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try run(flush: Z_FINISH)
        finished = true
        try JournalFiles.sync(fd, path: path)
        guard close(fd) == 0 else {
            fd = -1
            throw JournalError("cannot close \(path): \(JournalFiles.reason())")
        }
        fd = -1
        return (JournalFiles.hex(hasher.finalize()), compressedBytes)
    }

    /// Deflates what is in the stream's input, writing whatever output it makes.
    private func run(flush: Int32) throws {
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { raw -> (Int32, Int) in
                stream.pointee.next_out = raw.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = UInt32(raw.count)
                let status = deflate(stream, flush)
                return (status, raw.count - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw JournalError("compressing \(path) failed (zlib status \(status))")
            }
            if produced > 0 {
                try output.withUnsafeBytes { (raw) throws in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[..<produced])
                    hasher.update(bufferPointer: chunk)
                    try JournalFiles.writeAll(fd, chunk, path: path)
                }
                compressedBytes += produced
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}
