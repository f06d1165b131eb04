/// libpg_query's JSON parse tree, read into one flat array of nodes that point into the JSON
/// bytes. Nothing is decoded until asked for: a statement's tree is walked once, and most of
/// its strings (locations, enum names the walk does not need) are never turned into values.
/// A general-purpose JSON decoder would cost more than the parse itself.
struct ParseTree {
    enum Kind: UInt8 { case object, array, string, number, literal }

    struct Node {
        var kind: Kind
        /// For strings, the bytes between the quotes (still escaped); otherwise the whole value.
        var start: Int32
        var end: Int32
        /// The member name's bytes (between the quotes) when the node is an object member.
        var keyStart: Int32 = 0
        var keyEnd: Int32 = 0
        var firstChild: Int32 = -1
        var nextSibling: Int32 = -1
    }

    enum Failure: Error { case malformed(at: Int), tooDeep }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []
    /// libpg_query nests far less than this; the limit only stops hostile input recursing.
    static let maximumDepth = 4_000

    init(_ bytes: [UInt8]) throws(Failure) {
        self.bytes = bytes
        nodes.reserveCapacity(bytes.count / 12)
        var position = 0
        _ = try parseValue(&position, depth: 0, keyStart: 0, keyEnd: 0)
    }

    var root: Int32 { 0 }

    // MARK: Reading

    func kind(_ node: Int32) -> Kind { nodes[Int(node)].kind }

    /// The children of an object or array, in order.
    func children(_ node: Int32) -> ChildSequence { ChildSequence(nodes: nodes, upcoming: nodes[Int(node)].firstChild) }

    struct ChildSequence: Sequence, IteratorProtocol {
        let nodes: [Node]
        var upcoming: Int32
        mutating func next() -> Int32? {
            guard upcoming >= 0 else { return nil }
            defer { upcoming = nodes[Int(upcoming)].nextSibling }
            return upcoming
        }
    }

    /// Whether a member's name equals `name` (ASCII, compared byte for byte).
    func keyIs(_ node: Int32, _ name: StaticString) -> Bool {
        let n = nodes[Int(node)]
        let length = Int(n.keyEnd - n.keyStart)
        guard length == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { buffer in
            var i = 0
            while i < length {
                if bytes[Int(n.keyStart) + i] != buffer[i] { return false }
                i += 1
            }
            return true
        }
    }

    /// A member's name.
    func key(_ node: Int32) -> String {
        let n = nodes[Int(node)]
        return String(decoding: bytes[Int(n.keyStart)..<Int(n.keyEnd)], as: UTF8.self)
    }

    /// Whether a member's name starts with an upper-case letter: libpg_query wraps every node
    /// of a polymorphic field in an object keyed by its type name (`{"DeleteStmt": {…}}`).
    func keyIsTypeName(_ node: Int32) -> Bool {
        let n = nodes[Int(node)]
        guard n.keyEnd > n.keyStart else { return false }
        let first = bytes[Int(n.keyStart)]
        return first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")
    }

    /// An object's member with this name.
    func member(_ node: Int32, _ name: StaticString) -> Int32? {
        guard kind(node) == .object else { return nil }
        for child in children(node) where keyIs(child, name) { return child }
        return nil
    }

    /// For a wrapped node (`{"TypeName": {…}}`), the type name and its body.
    func typed(_ node: Int32) -> (name: String, body: Int32)? {
        guard kind(node) == .object, let only = nodes[Int(node)].firstChild as Int32?, only >= 0,
              nodes[Int(only)].nextSibling < 0, keyIsTypeName(only) else { return nil }
        return (key(only), only)
    }

    /// A string value, unescaped.
    func string(_ node: Int32) -> String? {
        let n = nodes[Int(node)]
        guard n.kind == .string else { return nil }
        let slice = bytes[Int(n.start)..<Int(n.end)]
        guard slice.contains(UInt8(ascii: "\\")) else { return String(decoding: slice, as: UTF8.self) }
        return Self.unescape(slice)
    }

    /// Whether a string value equals `text`, without building a String.
    func stringIs(_ node: Int32, _ text: StaticString) -> Bool {
        let n = nodes[Int(node)]
        guard n.kind == .string, Int(n.end - n.start) == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { buffer in
            for i in 0..<buffer.count where bytes[Int(n.start) + i] != buffer[i] { return false }
            return true
        }
    }

    /// `true`/`false`/`null` and numbers, as written.
    func literal(_ node: Int32) -> String {
        let n = nodes[Int(node)]
        return String(decoding: bytes[Int(n.start)..<Int(n.end)], as: UTF8.self)
    }

    func isTrue(_ node: Int32) -> Bool {
        let n = nodes[Int(node)]
        return n.kind == .literal && n.end - n.start == 4 && bytes[Int(n.start)] == UInt8(ascii: "t")
    }

    // MARK: Parsing

    private mutating func append(_ node: Node) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    private func skipSpace(_ position: inout Int) {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(_ position: inout Int, depth: Int, keyStart: Int32, keyEnd: Int32) throws(Failure) -> Int32 {
        guard depth < Self.maximumDepth else { throw .tooDeep }
        skipSpace(&position)
        guard position < bytes.count else { throw .malformed(at: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            let index = append(Node(kind: .object, start: Int32(position), end: 0, keyStart: keyStart, keyEnd: keyEnd))
            position += 1
            var last: Int32 = -1
            skipSpace(&position)
            if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    skipSpace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw .malformed(at: position) }
                    let (ks, ke) = try scanString(&position)
                    skipSpace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw .malformed(at: position) }
                    position += 1
                    let child = try parseValue(&position, depth: depth + 1, keyStart: ks, keyEnd: ke)
                    link(parent: index, last: &last, child: child)
                    skipSpace(&position)
                    guard position < bytes.count else { throw .malformed(at: position) }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "}") { position += 1; break }
                    throw .malformed(at: position)
                }
            }
            nodes[Int(index)].end = Int32(position)
            return index
        case UInt8(ascii: "["):
            let index = append(Node(kind: .array, start: Int32(position), end: 0, keyStart: keyStart, keyEnd: keyEnd))
            position += 1
            var last: Int32 = -1
            skipSpace(&position)
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                position += 1
            } else {
                while true {
                    let child = try parseValue(&position, depth: depth + 1, keyStart: 0, keyEnd: 0)
                    link(parent: index, last: &last, child: child)
                    skipSpace(&position)
                    guard position < bytes.count else { throw .malformed(at: position) }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "]") { position += 1; break }
                    throw .malformed(at: position)
                }
            }
            nodes[Int(index)].end = Int32(position)
            return index
        case UInt8(ascii: "\""):
            let (start, end) = try scanString(&position)
            return append(Node(kind: .string, start: start, end: end, keyStart: keyStart, keyEnd: keyEnd))
        default:
            let start = position
            while position < bytes.count {
                let c = bytes[position]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A { break }
                position += 1
            }
            guard position > start else { throw .malformed(at: start) }
            let first = bytes[start]
            let kind: Kind = (first == UInt8(ascii: "t") || first == UInt8(ascii: "f") || first == UInt8(ascii: "n")) ? .literal : .number
            return append(Node(kind: kind, start: Int32(start), end: Int32(position), keyStart: keyStart, keyEnd: keyEnd))
        }
    }

    private mutating func link(parent: Int32, last: inout Int32, child: Int32) {
        if last < 0 { nodes[Int(parent)].firstChild = child } else { nodes[Int(last)].nextSibling = child }
        last = child
    }

    /// Skips a string starting at its opening quote; returns the content's byte range.
    private func scanString(_ position: inout Int) throws(Failure) -> (Int32, Int32) {
        position += 1
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\\") { position += 2; continue }
            if c == UInt8(ascii: "\"") {
                let end = position
                position += 1
                return (Int32(start), Int32(end))
            }
            position += 1
        }
        throw .malformed(at: start)
    }

    static func unescape(_ slice: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        var pendingHigh: UInt32?
        func appendScalar(_ value: UInt32, _ out: inout [UInt8]) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < slice.endIndex {
            let c = slice[i]
            guard c == UInt8(ascii: "\\"), i + 1 < slice.endIndex else { out.append(c); i += 1; continue }
            let e = slice[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard i + 4 <= slice.endIndex, let value = UInt32(String(decoding: slice[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                    out.append(contentsOf: Array("\u{FFFD}".utf8)); continue
                }
                i += 4
                if (0xD800...0xDBFF).contains(value) { pendingHigh = value; continue }
                if (0xDC00...0xDFFF).contains(value), let high = pendingHigh {
                    appendScalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00), &out)
                    pendingHigh = nil
                    continue
                }
                appendScalar(value, &out)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
