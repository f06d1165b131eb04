import Testing
@testable import AirlockAudit

/// The RFC 6962 definitions written recursively, straight from the RFC, as an independent
/// reference for the iterative code under test.
enum ReferenceMerkle {
    static func mth(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        switch d.count {
        case 0: return SHA256.hash([UInt8]())
        case 1: return d[d.startIndex]
        default:
            let k = split(d.count)
            return Merkle.nodeHash(mth(d.prefix(k)), mth(d.dropFirst(k)))
        }
    }

    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard d.count > 1 else { return [] }
        let k = split(d.count)
        return m < k ? path(m, d.prefix(k)) + [mth(d.dropFirst(k))]
            : path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == d.count { return b ? [] : [mth(d)] }
        let k = split(d.count)
        return m <= k ? subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))]
            : subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }

    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }
}

@Suite struct MerkleTests {
    // transparency-dev/merkle testonly/constants.go: LeafInputs, NodeHashes level 0, RootHashes.
    static let leafInputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map { bytes(hex: $0) }
    static let leafHashes = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ]
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func leaves(_ n: Int) -> [[UInt8]] {
        (0 ..< n).map { Merkle.leafHash(Array("entry \($0)".utf8)) }
    }

    @Test func leafHashesAndRootsMatchTheRFC6962Vectors() {
        let hashes = Self.leafInputs.map { Merkle.leafHash($0) }
        #expect(hashes.map(hex) == Self.leafHashes)
        for size in 0 ... 8 {
            #expect(hex(Merkle.root(hashes[0 ..< size])) == Self.roots[size], "size \(size)")
        }
        #expect(Merkle.emptyRoot == SHA256.hash([UInt8]()))
    }

    // transparency-dev/merkle proof/verify_test.go (their leaf numbers are 1-based).
    @Test(arguments: [
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (0, 1, []),
    ])
    func knownInclusionProofs(index: Int, size: Int, proof: [String]) {
        let hashes = Self.leafInputs.map { Merkle.leafHash($0) }
        let generated = Merkle.inclusionProof(index: index, leafHashes: hashes[0 ..< size])
        #expect(generated.map(hex) == proof)
        #expect(Merkle.verifyInclusion(index: index, size: size, leafHash: hashes[index],
                                       proof: generated, root: bytes(hex: Self.roots[size])))
    }

    @Test(arguments: [
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (1, 1, []),
    ])
    func knownConsistencyProofs(oldSize: Int, newSize: Int, proof: [String]) {
        let hashes = Self.leafInputs.map { Merkle.leafHash($0) }
        let generated = Merkle.consistencyProof(oldSize: oldSize, leafHashes: hashes[0 ..< newSize])
        #expect(generated.map(hex) == proof)
        #expect(Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize,
                                         oldRoot: bytes(hex: Self.roots[oldSize]), newRoot: bytes(hex: Self.roots[newSize]),
                                         proof: generated))
    }

    @Test func rootMatchesTheRecursiveDefinition() {
        let hashes = Self.leaves(300)
        for size in [0, 1, 2, 3, 7, 8, 9, 31, 32, 33, 100, 255, 256, 257, 300] {
            #expect(Merkle.root(hashes[0 ..< size]) == ReferenceMerkle.mth(hashes[0 ..< size]), "size \(size)")
        }
        // A slice that does not start at index 0.
        #expect(Merkle.root(hashes[5 ..< 17]) == ReferenceMerkle.mth(hashes[5 ..< 17]))
    }

    @Test func accumulatorMatchesRootAtEverySize() {
        let hashes = Self.leaves(300)
        var accumulator = MerkleAccumulator()
        #expect(accumulator.root == Merkle.emptyRoot)
        for size in 1 ... 300 {
            accumulator.append(leafHash: hashes[size - 1])
            #expect(accumulator.size == size)
            #expect(accumulator.peaks.count == size.nonzeroBitCount)
            #expect(accumulator.root == ReferenceMerkle.mth(hashes[0 ..< size]), "size \(size)")
        }
    }

    @Test func accumulatorResumesFromSavedPeaks() throws {
        let hashes = Self.leaves(40)
        var first = MerkleAccumulator()
        for leaf in hashes[0 ..< 13] { first.append(leafHash: leaf) }
        var resumed = try #require(MerkleAccumulator(size: first.size, peaks: first.peaks))
        for leaf in hashes[13...] { resumed.append(leafHash: leaf) }
        #expect(resumed.root == ReferenceMerkle.mth(hashes[...]))
        #expect(MerkleAccumulator(size: 13, peaks: Array(first.peaks.dropLast())) == nil)
        #expect(MerkleAccumulator(size: 13, peaks: first.peaks.map { Array($0.dropLast()) }) == nil)
        #expect(MerkleAccumulator(size: -1, peaks: []) == nil)
        #expect(MerkleAccumulator(size: 0, peaks: [])?.root == Merkle.emptyRoot)
    }

    @Test func everyInclusionProofUpTo64VerifiesAndTamperingFails() {
        let hashes = Self.leaves(129)
        let roots = (0 ... 129).map { Merkle.root(hashes[0 ..< $0]) }
        for size in 1 ... 64 {
            let tree = hashes[0 ..< size]
            for index in 0 ..< size {
                let proof = Merkle.inclusionProof(index: index, leafHashes: tree)
                #expect(proof == ReferenceMerkle.path(index, tree), "(\(index), \(size))")
                let leaf = hashes[index]
                func verifies(index: Int = index, size: Int = size, leaf: [UInt8] = leaf,
                              proof: [[UInt8]] = proof, root: [UInt8]? = nil) -> Bool {
                    Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root ?? roots[size])
                }
                #expect(verifies(), "(\(index), \(size))")
                for element in proof.indices {
                    var flipped = proof
                    flipped[element][element % 32] ^= 0x08
                    #expect(!verifies(proof: flipped), "flipped \(element) in (\(index), \(size))")
                }
                for wrongIndex in [index - 1, index + 1, index ^ 2] where wrongIndex != index {
                    #expect(!verifies(index: wrongIndex), "index \(wrongIndex) for (\(index), \(size))")
                }
                // Another size paired with that size's real root: a checkpoint that exists.
                for wrongSize in [size - 1, size + 1, size * 2, size / 2] where wrongSize != size && wrongSize > index {
                    #expect(!verifies(size: wrongSize, root: roots[wrongSize]), "size \(wrongSize) for (\(index), \(size))")
                }
                #expect(!verifies(root: roots[size - 1]))
                #expect(!verifies(root: Merkle.emptyRoot))
                #expect(!verifies(leaf: hashes[index + 1]))
                #expect(!verifies(proof: proof + [roots[size]]))
                #expect(!verifies(proof: [roots[size]] + proof))
                if !proof.isEmpty { #expect(!verifies(proof: Array(proof.dropLast()))) }
            }
        }
    }

    @Test func inclusionRejectsImpossibleArguments() {
        let hashes = Self.leaves(4)
        let root = Merkle.root(hashes[...])
        #expect(Merkle.inclusionProof(index: 4, leafHashes: hashes[...]).isEmpty)
        #expect(Merkle.inclusionProof(index: -1, leafHashes: hashes[...]).isEmpty)
        #expect(!Merkle.verifyInclusion(index: 0, size: 0, leafHash: hashes[0], proof: [], root: Merkle.emptyRoot))
        #expect(!Merkle.verifyInclusion(index: -1, size: 4, leafHash: hashes[0], proof: [], root: root))
        #expect(!Merkle.verifyInclusion(index: 4, size: 4, leafHash: hashes[0], proof: [], root: root))
        // A single-leaf tree's root is its leaf and its proof is empty, but only at size 1.
        #expect(Merkle.verifyInclusion(index: 0, size: 1, leafHash: hashes[0], proof: [], root: hashes[0]))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: [], proof: [], root: []))
        #expect(!Merkle.verifyInclusion(index: 0, size: 2, leafHash: hashes[0], proof: [], root: hashes[0]))
    }

    @Test func everyConsistencyProofUpTo64VerifiesAndTamperingFails() {
        let hashes = Self.leaves(129)
        let roots = (0 ... 129).map { Merkle.root(hashes[0 ..< $0]) }
        for newSize in 1 ... 64 {
            let tree = hashes[0 ..< newSize]
            for oldSize in 0 ... newSize {
                let proof = Merkle.consistencyProof(oldSize: oldSize, leafHashes: tree)
                let expected = oldSize == 0 || oldSize == newSize ? [] : ReferenceMerkle.subproof(oldSize, tree, true)
                #expect(proof == expected, "(\(oldSize), \(newSize))")
                func verifies(old: Int = oldSize, new: Int = newSize, oldRoot: [UInt8]? = nil, newRoot: [UInt8]? = nil,
                              proof: [[UInt8]] = proof) -> Bool {
                    Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot ?? roots[old],
                                             newRoot: newRoot ?? roots[new], proof: proof)
                }
                #expect(verifies(), "(\(oldSize), \(newSize))")
                guard oldSize > 0, oldSize < newSize else { continue }
                for element in proof.indices {
                    var flipped = proof
                    flipped[element][31 - element % 32] ^= 0x10
                    #expect(!verifies(proof: flipped), "flipped \(element) in (\(oldSize), \(newSize))")
                }
                for wrongOld in [oldSize - 1, oldSize + 1, oldSize ^ 2] where wrongOld != oldSize && wrongOld > 0 && wrongOld < newSize {
                    #expect(!verifies(old: wrongOld), "old \(wrongOld) for (\(oldSize), \(newSize))")
                }
                for wrongNew in [newSize - 1, newSize + 1, newSize * 2, newSize / 2] where wrongNew != newSize && wrongNew > oldSize {
                    #expect(!verifies(new: wrongNew), "new \(wrongNew) for (\(oldSize), \(newSize))")
                }
                #expect(!verifies(oldRoot: roots[oldSize - 1]))
                #expect(!verifies(newRoot: roots[newSize - 1]))
                #expect(!verifies(oldRoot: roots[newSize], newRoot: roots[oldSize]))
                #expect(!verifies(proof: []))
                #expect(!verifies(proof: proof + [roots[oldSize]]))
                #expect(!verifies(proof: [roots[newSize]] + proof))
                #expect(!verifies(proof: Array(proof.dropLast())))
                #expect(!verifies(proof: proof.map { $0 + [0] }))
            }
        }
    }

    @Test func consistencyEdgeCases() {
        let hashes = Self.leaves(3)
        let r1 = Merkle.root(hashes[0 ..< 1]), r3 = Merkle.root(hashes[...])
        // Equal sizes: equal roots and an empty proof, nothing else.
        #expect(Merkle.verifyConsistency(oldSize: 3, newSize: 3, oldRoot: r3, newRoot: r3, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 3, newSize: 3, oldRoot: r1, newRoot: r3, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 3, newSize: 3, oldRoot: r3, newRoot: r3, proof: [r3]))
        // The empty tree is a prefix of every tree.
        #expect(Merkle.verifyConsistency(oldSize: 0, newSize: 3, oldRoot: Merkle.emptyRoot, newRoot: r3, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 3, oldRoot: Merkle.emptyRoot, newRoot: r3, proof: [r1]))
        // Shrinking is never consistent.
        #expect(!Merkle.verifyConsistency(oldSize: 3, newSize: 1, oldRoot: r3, newRoot: r1, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: -1, newSize: 1, oldRoot: r3, newRoot: r1, proof: []))
        #expect(Merkle.consistencyProof(oldSize: 4, leafHashes: hashes[...]).isEmpty)
    }
}
