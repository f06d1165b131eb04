// SHA-256 (FIPS 180-4) in the standard library alone: the front door links this module on every
// check, so it cannot pull in Foundation or a crypto package just to hash log entries.

/// SHA-256, the hash under every leaf, node and key id of the audit log.
public enum SHA256 {
    /// Bytes in a digest.
    public static let digestCount = 32

    /// The 32-byte digest of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// An incremental SHA-256, so a prefix byte and an entry can be hashed without first being
    /// copied into one buffer.
    public struct Hasher: Sendable {
        private var state = State()
        // The partial block lives inline (8 × 8 bytes) so a hasher never allocates.
        private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0)
        private var pendingCount = 0
        private var length: UInt64 = 0

        /// A hasher that has seen no bytes.
        public init() {}

        /// Feeds one byte.
        public mutating func update(byte: UInt8) {
            withUnsafeBytes(of: byte) { update($0) }
        }

        /// Feeds `bytes`; contiguous collections are read in place.
        public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
            if handled != nil { return }
            // Non-contiguous input (a lazy map, a joined sequence): gather it a block at a time.
            var chunk: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            var iterator = bytes.makeIterator()
            var exhausted = false
            while !exhausted {
                let filled = withUnsafeMutableBytes(of: &chunk) { raw -> Int in
                    var n = 0
                    while n < 64, let byte = iterator.next() {
                        raw[n] = byte
                        n += 1
                    }
                    return n
                }
                exhausted = filled < 64
                withUnsafeBytes(of: chunk) { update(UnsafeRawBufferPointer(rebasing: $0[0 ..< filled])) }
            }
        }

        /// Feeds the bytes `buffer` points at.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            var input = buffer
            length &+= UInt64(input.count)
            var block = pending
            var st = state
            if pendingCount > 0 {
                let take = Swift.min(64 - pendingCount, input.count)
                let start = pendingCount
                withUnsafeMutableBytes(of: &block) { raw in
                    UnsafeMutableRawBufferPointer(rebasing: raw[start ..< start + take])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: input[0 ..< take]))
                }
                pendingCount += take
                input = UnsafeRawBufferPointer(rebasing: input[take...])
                if pendingCount == 64 {
                    withUnsafeBytes(of: &block) { SHA256.compress(&st, $0) }
                    pendingCount = 0
                }
            }
            let whole = input.count & ~63
            if whole > 0 {
                SHA256.compress(&st, UnsafeRawBufferPointer(rebasing: input[0 ..< whole]))
                input = UnsafeRawBufferPointer(rebasing: input[whole...])
            }
            if !input.isEmpty {
                withUnsafeMutableBytes(of: &block) { raw in
                    UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< input.count]).copyMemory(from: input)
                }
                pendingCount = input.count
            }
            pending = block
            state = st
        }

        /// The digest of everything fed so far; the hasher itself is left as it was, so a
        /// running hash can be read and then continued.
        public func finalize() -> [UInt8] {
            var block = pending
            var st = state
            let used = pendingCount
            let bitLength = length &* 8
            withUnsafeMutableBytes(of: &block) { raw in
                raw[used] = 0x80
                var next = used + 1
                if next > 56 {
                    for i in next ..< 64 { raw[i] = 0 }
                    SHA256.compress(&st, UnsafeRawBufferPointer(raw))
                    next = 0
                }
                for i in next ..< 56 { raw[i] = 0 }
                raw.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
                SHA256.compress(&st, UnsafeRawBufferPointer(raw))
            }
            return st.digest()
        }
    }

    struct State: Sendable {
        var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19

        func digest() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                let raw = UnsafeMutableRawBufferPointer(out)
                raw.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
                raw.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
                raw.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
                raw.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
                raw.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
                raw.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
                raw.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
                raw.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
                count = 32
            }
        }
    }

    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &>> n) | (x &<< (32 &- n))
    }

    // One round with the roles of the eight working variables passed in rotated order, so an
    // unrolled run of eight rounds needs no shuffling of variables between rounds.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
    ) {
        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let ch = (e & f) ^ (~e & g)
        let t1 = h &+ s1 &+ ch &+ kw
        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let maj = (a & b) | (c & (a | b))
        d = d &+ t1
        h = t1 &+ s0 &+ maj
    }

    /// Runs the compression function over every whole 64-byte block in `blocks`.
    static func compress(_ state: inout State, _ blocks: UnsafeRawBufferPointer) {
        let blockCount = blocks.count / 64
        guard blockCount > 0, let base = blocks.baseAddress else { return }
        roundConstants.withUnsafeBufferPointer { kBuffer in
            guard let k = kBuffer.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wBuffer in
                guard let w = wBuffer.baseAddress else { return }
                var h0 = state.h0, h1 = state.h1, h2 = state.h2, h3 = state.h3
                var h4 = state.h4, h5 = state.h5, h6 = state.h6, h7 = state.h7
                for blockIndex in 0 ..< blockCount {
                    let block = base + blockIndex &* 64
                    for t in 0 ..< 16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                    }
                    for t in 16 ..< 64 {
                        let w15 = w[t &- 15], w2 = w[t &- 2]
                        let sigma0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 &>> 3)
                        let sigma1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 &>> 10)
                        w[t] = w[t &- 16] &+ sigma0 &+ w[t &- 7] &+ sigma1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    var t = 0
                    while t < 64 {
                        round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        round(h, a, b, &c, d, e, f, &g, k[t &+ 1] &+ w[t &+ 1])
                        round(g, h, a, &b, c, d, e, &f, k[t &+ 2] &+ w[t &+ 2])
                        round(f, g, h, &a, b, c, d, &e, k[t &+ 3] &+ w[t &+ 3])
                        round(e, f, g, &h, a, b, c, &d, k[t &+ 4] &+ w[t &+ 4])
                        round(d, e, f, &g, h, a, b, &c, k[t &+ 5] &+ w[t &+ 5])
                        round(c, d, e, &f, g, h, a, &b, k[t &+ 6] &+ w[t &+ 6])
                        round(b, c, d, &e, f, g, h, &a, k[t &+ 7] &+ w[t &+ 7])
                        t &+= 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
                state.h0 = h0; state.h1 = h1; state.h2 = h2; state.h3 = h3
                state.h4 = h4; state.h5 = h5; state.h6 = h6; state.h7 = h7
            }
        }
    }
}
