// Byte constants and classification for the parser. Everything works on UTF-8 bytes: every
// byte the shell treats specially is ASCII, and multi-byte characters only ever appear inside
// words, where they are copied through unchanged.

enum Byte {
    static let eof: UInt8 = 0  // what `peek` returns past the end; NUL itself is rejected up front
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let bang: UInt8 = 0x21  // !
    static let doubleQuote: UInt8 = 0x22  // "
    static let hash: UInt8 = 0x23  // #
    static let dollar: UInt8 = 0x24  // $
    static let ampersand: UInt8 = 0x26  // &
    static let singleQuote: UInt8 = 0x27  // '
    static let leftParen: UInt8 = 0x28  // (
    static let rightParen: UInt8 = 0x29  // )
    static let star: UInt8 = 0x2A  // *
    static let plus: UInt8 = 0x2B  // +
    static let comma: UInt8 = 0x2C  // ,
    static let minus: UInt8 = 0x2D  // -
    static let dot: UInt8 = 0x2E  // .
    static let slash: UInt8 = 0x2F  // /
    static let zero: UInt8 = 0x30  // 0
    static let seven: UInt8 = 0x37  // 7
    static let nine: UInt8 = 0x39  // 9
    static let colon: UInt8 = 0x3A  // :
    static let semicolon: UInt8 = 0x3B  // ;
    static let less: UInt8 = 0x3C  // <
    static let equals: UInt8 = 0x3D  // =
    static let greater: UInt8 = 0x3E  // >
    static let question: UInt8 = 0x3F  // ?
    static let at: UInt8 = 0x40  // @
    static let leftBracket: UInt8 = 0x5B  // [
    static let backslash: UInt8 = 0x5C  // \
    static let rightBracket: UInt8 = 0x5D  // ]
    static let caret: UInt8 = 0x5E  // ^
    static let underscore: UInt8 = 0x5F  // _
    static let backtick: UInt8 = 0x60  // `
    static let leftBrace: UInt8 = 0x7B  // {
    static let pipe: UInt8 = 0x7C  // |
    static let rightBrace: UInt8 = 0x7D  // }
    static let tilde: UInt8 = 0x7E  // ~

    /// Space or tab: separates words.
    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }

    /// Ends an unquoted word: blanks, newline, the shell metacharacters `; & | < > ( )`, and end
    /// of input.
    @inline(__always) static func isWordEnd(_ c: UInt8) -> Bool {
        switch c {
        case eof, tab, newline, space, semicolon, ampersand, pipe, less, greater, leftParen, rightParen:
            return true
        default:
            return false
        }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= nine }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    @inline(__always) static func isNameStart(_ c: UInt8) -> Bool { isLetter(c) || c == underscore }

    @inline(__always) static func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || isDigit(c) }

    /// `$@ $* $# $? $$ $! $-` (digits are handled separately).
    @inline(__always) static func isSpecialParameter(_ c: UInt8) -> Bool {
        c == at || c == star || c == hash || c == question || c == dollar || c == bang || c == minus
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Characters a `~user` tilde prefix may contain.
    @inline(__always) static func isTildeUserChar(_ c: UInt8) -> Bool {
        isNameChar(c) || c == dot || c == minus || c == plus
    }

    /// Appends the UTF-8 encoding of `value`, or U+FFFD when it is not a Unicode scalar.
    static func appendScalar(_ value: UInt32, to buffer: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        UTF8.encode(scalar) { buffer.append($0) }
    }
}
