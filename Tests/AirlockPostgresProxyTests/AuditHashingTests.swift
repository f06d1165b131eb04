import AirlockAudit
import Testing
@testable import AirlockPostgresProxy

/// The proxy's hardware-backed leaf hash must be the audit log's leaf hash, bit for bit: the
/// verifier and every other door recompute it with the portable one.
@Suite struct AuditHashingTests {
    @Test func theProxysLeafHashIsTheLogsLeafHash() {
        var random = SeededGenerator(seed: 6962)
        for length in Array(0...200) + [1_000, 65_536, 100_003] {
            let entry = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(AuditHashing.leafHash(entry) == Merkle.leafHash(entry), "length \(length)")
        }
        // RFC 6962's leaf hash of the empty entry.
        #expect(Hex.encode(AuditHashing.leafHash([])) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    }
}
