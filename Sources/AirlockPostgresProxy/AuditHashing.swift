import AirlockAudit
import Crypto

/// The audit log's leaf hash (`Merkle.leafHash`, RFC 6962 `SHA-256(0x00 ‖ entry)`) through
/// swift-crypto, whose SHA-256 uses the CPU's SHA extensions where it has them: the proxy
/// hashes one entry per statement, and the portable implementation was a tenth of its time.
enum AuditHashing {
    @Sendable static func leafHash(_ entry: [UInt8]) -> [UInt8] {
        var hasher = Crypto.SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        entry.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }
}
