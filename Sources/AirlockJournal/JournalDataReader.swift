import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one of an entry's data files back as decompressed COPY text, a chunk at a time.
///
/// The compressed bytes are hashed as they are read, and the end of the file is only reported
/// once the hash and size match the manifest: a restore that feeds chunks to `COPY … FROM
/// STDIN` and sends CopyDone only after `next()` returned nil can never commit a damaged file
/// (a mismatch throws, the caller fails the COPY, the transaction rolls back).
///
/// Not for concurrent use: one reader, one thread at a time.
public final class JournalDataReader {
    public let path: String
    private let expectedSHA256: String?
    private let expectedBytes: Int?
    private var fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputCount = 0
    private var inputOffset = 0
    private var endOfFile = false
    private var streamEnded = false
    private var done = false
    private var hasher = SHA256()
    /// Compressed bytes read so far: progress against the manifest's `dataBytes`.
    public private(set) var compressedBytesRead = 0
    /// Decompressed bytes returned so far.
    public private(set) var bytesReturned = 0

    /// Opens `path`; with `expectedSHA256` and `expectedBytes` the end of data is checked
    /// against them.
    public init(path: String, expectedSHA256: String? = nil, expectedBytes: Int? = nil) throws {
        self.path = path
        self.expectedSHA256 = expectedSHA256
        self.expectedBytes = expectedBytes
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = airlock_inflate_init_gzip(stream)
        guard status == Z_OK else {
            stream.deallocate()
            throw JournalError("cannot start decompressing \(path) (zlib status \(status))")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = JournalFiles.reason()
            inflateEnd(stream)
            stream.deallocate()
            throw JournalError("cannot read the journal data file \(path): \(why)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        if fd >= 0 { closeDescriptor(fd) }
    }

    /// The next decompressed chunk (up to 256 KiB), or nil at the verified end of the data.
    public func next() throws -> [UInt8]? {
        guard !done else { return nil }
        var output = [UInt8](repeating: 0, count: 1 << 18)
        var produced = 0
        while produced == 0 {
            if streamEnded {
                // Whatever follows a gzip member is another member (as `zcat` reads them).
                if inputOffset == inputCount && !endOfFile { try fill() }
                if inputOffset == inputCount && endOfFile {
                    try finishChecks()
                    return nil
                }
                guard inflateReset(stream) == Z_OK else { throw JournalError("cannot restart decompressing \(path)") }
                streamEnded = false
            }
            if inputOffset == inputCount && !endOfFile { try fill() }
            let available = inputCount - inputOffset
            let (status, consumed, made) = input.withUnsafeMutableBytes { inRaw in
                output.withUnsafeMutableBytes { outRaw -> (Int32, Int, Int) in
                    stream.pointee.next_in = inRaw.bindMemory(to: Bytef.self).baseAddress.map { $0 + inputOffset }
                    stream.pointee.avail_in = UInt32(available)
                    stream.pointee.next_out = outRaw.bindMemory(to: Bytef.self).baseAddress.map { $0 + produced }
                    stream.pointee.avail_out = UInt32(outRaw.count - produced)
                    let status = inflate(stream, Z_NO_FLUSH)
                    return (status, available - Int(stream.pointee.avail_in), outRaw.count - produced - Int(stream.pointee.avail_out))
                }
            }
            inputOffset += consumed
            produced += made
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                streamEnded = true
            case Z_BUF_ERROR:
                // No progress possible: more input is needed, and there is none.
                if inputOffset == inputCount && endOfFile {
                    throw JournalError("the journal data file \(path) is truncated (it ends inside its gzip stream): it was damaged after it was written")
                }
            default:
                throw JournalError("the journal data file \(path) is not a valid gzip file (zlib status \(status)): it was damaged after it was written")
            }
            if produced == output.count { break }
            if !streamEnded && consumed == 0 && made == 0 && inputOffset == inputCount && endOfFile {
                throw JournalError("the journal data file \(path) is truncated (it ends inside its gzip stream): it was damaged after it was written")
            }
        }
        bytesReturned += produced
        output.removeSubrange(produced...)
        return output
    }

    /// Every line (with its newline), in order, read a chunk at a time.
    public func forEachLine(_ body: ([UInt8]) throws -> Void) throws {
        var pending: [UInt8] = []
        while let chunk = try next() {
            var start = 0
            for (index, byte) in chunk.enumerated() where byte == UInt8(ascii: "\n") {
                pending.append(contentsOf: chunk[start...index])
                try body(pending)
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending.append(contentsOf: chunk[start...])
        }
        if !pending.isEmpty { throw JournalError("the journal data file \(path) ends in the middle of a line") }
    }

    public func close() {
        if fd >= 0 { closeDescriptor(fd) }
        fd = -1
        done = true
    }

    private func fill() throws {
        let count = input.withUnsafeMutableBytes { raw -> Int in
            while true {
                let count = systemRead(fd, raw.baseAddress, raw.count)
                if count < 0 && errno == EINTR { continue }
                return count
            }
        }
        guard count >= 0 else { throw JournalError("cannot read the journal data file \(path): \(JournalFiles.reason())") }
        inputCount = count
        inputOffset = 0
        if count == 0 {
            endOfFile = true
            return
        }
        input.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        compressedBytesRead += count
    }

    private func finishChecks() throws {
        done = true
        if let expectedBytes, expectedBytes != compressedBytesRead {
            throw JournalError("the journal data file \(path) is \(compressedBytesRead) bytes where its manifest says \(expectedBytes): it was changed or damaged after it was written")
        }
        if let expectedSHA256 {
            let actual = JournalFiles.hex(hasher.finalize())
            guard actual == expectedSHA256 else {
                throw JournalError("the journal data file \(path) has SHA-256 \(actual) where its manifest says \(expectedSHA256): it was changed or damaged after it was written")
            }
        }
    }
}
