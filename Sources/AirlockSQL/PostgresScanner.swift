import CPgQuery
import Foundation

/// PostgreSQL's own scanner (libpg_query's `pg_query_scan`): the text's tokens with their byte
/// ranges, so code that must cut a statement into clauses agrees with the server on what is a
/// string, a dollar-quoted body, a quoted identifier or a comment.
public enum PostgresScanner {
    /// One token: where it is in the UTF-8 bytes, and whether the scanner knows it as a keyword.
    public struct Token: Sendable, Equatable {
        public var range: Range<Int>
        public var isKeyword: Bool
    }

    /// The tokens, or nil when the text does not scan (an unterminated quote, say).
    public static func tokens(_ text: String) -> [Token]? {
        let result = pg_query_scan(text)
        defer { pg_query_free_scan_result(result) }
        guard result.error == nil, let data = result.pbuf.data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(result.pbuf.len))
        // The scanner reports comments as tokens; nothing that cuts clauses wants them.
        let text = Array(text.utf8)
        return decodeScanResult(bytes)?.filter { token in
            guard token.range.count >= 2, token.range.upperBound <= text.count else { return true }
            let first = text[token.range.lowerBound], second = text[token.range.lowerBound + 1]
            return !((first == UInt8(ascii: "-") && second == UInt8(ascii: "-")) || (first == UInt8(ascii: "/") && second == UInt8(ascii: "*")))
        }
    }

    /// Reads the ScanResult protocol buffer: field 2 holds the tokens, each with `start` (1),
    /// `end` (2) and `keyword_kind` (5, 0 for none). Unknown fields are skipped, so a newer
    /// libpg_query that adds some still reads.
    static func decodeScanResult(_ bytes: UnsafeRawBufferPointer) -> [Token]? {
        var reader = ProtobufReader(bytes: bytes, position: 0, end: bytes.count)
        var tokens: [Token] = []
        while !reader.atEnd {
            guard let (field, wire) = reader.key() else { return nil }
            if field == 2, wire == 2 {
                guard let length = reader.varint(), var token = reader.sub(length: Int(length)) else { return nil }
                var start = 0, end = 0, keyword = 0
                while !token.atEnd {
                    guard let (tokenField, tokenWire) = token.key() else { return nil }
                    if tokenWire == 0 {
                        guard let value = token.varint() else { return nil }
                        switch tokenField {
                        case 1: start = Int(truncatingIfNeeded: value)
                        case 2: end = Int(truncatingIfNeeded: value)
                        case 5: keyword = Int(truncatingIfNeeded: value)
                        default: break
                        }
                    } else if !token.skip(wire: tokenWire) {
                        return nil
                    }
                }
                guard start >= 0, end >= start else { return nil }
                tokens.append(Token(range: start..<end, isKeyword: keyword != 0))
            } else if !reader.skip(wire: wire) {
                return nil
            }
        }
        return tokens
    }
}

/// Just enough of the protocol buffer wire format to read libpg_query's scan result.
struct ProtobufReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    var atEnd: Bool { position >= end }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    mutating func key() -> (field: UInt64, wire: UInt64)? {
        guard let key = varint() else { return nil }
        return (key >> 3, key & 7)
    }

    mutating func sub(length: Int) -> ProtobufReader? {
        guard length >= 0, position + length <= end else { return nil }
        defer { position += length }
        return ProtobufReader(bytes: bytes, position: position, end: position + length)
    }

    mutating func skip(wire: UInt64) -> Bool {
        switch wire {
        case 0: return varint() != nil
        case 1: position += 8
        case 2:
            guard let length = varint() else { return false }
            position += Int(length)
        case 5: position += 4
        default: return false
        }
        return position <= end
    }
}
