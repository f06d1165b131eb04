// The Merkle tree of RFC 6962 / RFC 9162 §2.1, bit for bit, so that proofs from this log can be
// checked by any transparency-log tooling and vice versa.

/// RFC 9162 Merkle tree hashing, inclusion proofs and consistency proofs over SHA-256.
public enum Merkle {
    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    /// `SHA-256(0x00 ‖ entry)`; the prefix keeps a leaf from ever being mistaken for a node.
    public static func leafHash<C: Collection>(_ entry: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = SHA256.Hasher()
        hasher.update(byte: 0x00)
        hasher.update(entry)
        return hasher.finalize()
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256.Hasher()
        hasher.update(byte: 0x01)
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    /// The root over `leafHashes` (MTH of RFC 9162 §2.1.1), in O(n) hashes and O(log n) memory.
    public static func root(_ leafHashes: ArraySlice<[UInt8]>) -> [UInt8] {
        var accumulator = MerkleAccumulator()
        for leaf in leafHashes { accumulator.append(leafHash: leaf) }
        return accumulator.root
    }

    /// The audit path for leaf `index` (RFC 9162 §2.1.3.1), nearest sibling first; empty when
    /// `index` is outside the tree, which no verifier accepts for a tree of more than one leaf.
    public static func inclusionProof(index: Int, leafHashes: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard index >= 0, index < leafHashes.count else { return [] }
        // Walk down from the root, taking the root of the subtree not containing the leaf at
        // each split; every leaf is hashed at most once, so the whole proof costs O(n).
        var siblings: [[UInt8]] = []
        var range = leafHashes.startIndex ..< leafHashes.endIndex
        let target = leafHashes.startIndex + index
        while range.count > 1 {
            let split = range.lowerBound + largestPowerOfTwo(below: range.count)
            if target < split {
                siblings.append(root(leafHashes[split ..< range.upperBound]))
                range = range.lowerBound ..< split
            } else {
                siblings.append(root(leafHashes[range.lowerBound ..< split]))
                range = split ..< range.upperBound
            }
        }
        return siblings.reversed()
    }

    /// Whether `proof` shows `leafHash` at `index` in the tree of `size` leaves with `root`
    /// (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(index: Int, size: Int, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size, leafHash.count == 32, root.count == 32 else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard p.count == 32, sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// The proof that the first `oldSize` leaves are a prefix of all of `leafHashes`
    /// (RFC 9162 §2.1.4.1); empty when `oldSize` is 0, the whole tree, or out of range.
    public static func consistencyProof(oldSize: Int, leafHashes: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard oldSize > 0, oldSize < leafHashes.count else { return [] }
        // SUBPROOF(m, D[n], b) unrolled into a walk down the new tree, collecting root-first.
        var nodes: [[UInt8]] = []
        var m = oldSize
        var range = leafHashes.startIndex ..< leafHashes.endIndex
        var wholeOldTreeIsKnown = true
        while m != range.count {
            let k = largestPowerOfTwo(below: range.count)
            let split = range.lowerBound + k
            if m <= k {
                nodes.append(root(leafHashes[split ..< range.upperBound]))
                range = range.lowerBound ..< split
            } else {
                nodes.append(root(leafHashes[range.lowerBound ..< split]))
                m -= k
                range = split ..< range.upperBound
                wholeOldTreeIsKnown = false
            }
        }
        if !wholeOldTreeIsKnown {
            nodes.append(root(leafHashes[range]))
        }
        return nodes.reversed()
    }

    /// Whether `proof` shows the tree of `oldSize` leaves with `oldRoot` to be a prefix of the
    /// tree of `newSize` leaves with `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need equal roots
    /// and an empty proof; an empty old tree is a prefix of everything.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot && oldRoot.count == 32 }
        if oldSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty, oldRoot.count == 32, newRoot.count == 32 else { return false }
        guard proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 {
            // The old tree is a complete subtree of the new one, so its root is the first node.
            path = ([oldRoot] + proof)[...]
        }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        guard let first = path.first else { return false }
        var fr = first
        var sr = first
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }

    /// The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree.
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

/// The Merkle root of a growing log kept as the roots of its perfect subtrees (a compact
/// range), so a verifier streaming millions of entries holds O(log n) hashes, not the entries.
public struct MerkleAccumulator: Sendable, Hashable {
    /// Roots of the perfect subtrees, largest (leftmost) first; their sizes are the set bits of
    /// `size`, from high to low.
    public private(set) var peaks: [[UInt8]] = []
    /// How many leaves have been appended.
    public private(set) var size: Int = 0

    /// An accumulator for the empty tree.
    public init() {}

    /// Resumes from a saved `size` and `peaks`, so a verifier can stop and continue a stream
    /// without re-reading it; nil unless there is one 32-byte peak per set bit of `size`.
    public init?(size: Int, peaks: [[UInt8]]) {
        guard size >= 0, peaks.count == size.nonzeroBitCount, peaks.allSatisfy({ $0.count == 32 }) else { return nil }
        self.size = size
        self.peaks = peaks
    }

    /// Appends the next leaf; amortised O(1) hashes.
    public mutating func append(leafHash: [UInt8]) {
        var node = leafHash
        var carry = size
        // Each trailing one bit of the old size is a perfect subtree of the same height as the
        // node being carried: merge them, like incrementing a binary counter.
        while carry & 1 == 1, let left = peaks.popLast() {
            node = Merkle.nodeHash(left, node)
            carry >>= 1
        }
        peaks.append(node)
        size += 1
    }

    /// The RFC 6962 root of the leaves so far, in O(log n) hashes.
    public var root: [UInt8] {
        guard var node = peaks.last else { return Merkle.emptyRoot }
        for left in peaks.dropLast().reversed() {
            node = Merkle.nodeHash(left, node)
        }
        return node
    }
}
