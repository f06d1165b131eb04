import NIOCore

/// The server messages the proxy reads or makes: authentication, errors, status.
public enum Backend {
    public static let authentication: UInt8 = 0x52    // R
    public static let backendKeyData: UInt8 = 0x4B    // K
    public static let parameterStatus: UInt8 = 0x53   // S
    public static let readyForQuery: UInt8 = 0x5A     // Z
    public static let errorResponse: UInt8 = 0x45     // E
    public static let noticeResponse: UInt8 = 0x4E    // N
    public static let commandComplete: UInt8 = 0x43   // C
    public static let emptyQuery: UInt8 = 0x49        // I
    public static let portalSuspended: UInt8 = 0x73   // s
    public static let parseComplete: UInt8 = 0x31     // 1
    public static let bindComplete: UInt8 = 0x32      // 2
    public static let closeComplete: UInt8 = 0x33     // 3
    public static let noData: UInt8 = 0x6E            // n
    public static let rowDescription: UInt8 = 0x54    // T
    public static let parameterDescription: UInt8 = 0x74 // t
    public static let dataRow: UInt8 = 0x44           // D
    public static let copyInResponse: UInt8 = 0x47    // G
    public static let copyOutResponse: UInt8 = 0x48   // H
    public static let copyBothResponse: UInt8 = 0x57  // W
    public static let copyData: UInt8 = 0x64          // d
    public static let copyDone: UInt8 = 0x63          // c
    public static let functionCallResponse: UInt8 = 0x56 // V
    public static let negotiateProtocolVersion: UInt8 = 0x76 // v

    /// `Authentication*`: the request code and what follows it.
    public static func readAuthentication(_ body: ByteBuffer) throws(PostgresProtocolError) -> (code: Int32, data: ByteBuffer) {
        var body = body
        guard let code = body.readInteger(as: Int32.self) else { throw PostgresProtocolError("an Authentication message without a code") }
        return (code, body)
    }

    public static func authentication(_ code: Int32, data: [UInt8] = []) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeInteger(code)
        body.writeBytes(data)
        return PostgresFrame(type: authentication, body: body)
    }

    /// `AuthenticationSASL` offering the given mechanisms.
    public static func authenticationSASL(_ mechanisms: [String]) -> PostgresFrame {
        var data = ByteBuffer()
        for mechanism in mechanisms { data.writeNullTerminatedString(mechanism) }
        data.writeInteger(UInt8(0))
        return authentication(10, data: Array(data.readableBytesView))
    }

    public static func readyForQuery(_ status: UInt8) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeInteger(status)
        return PostgresFrame(type: readyForQuery, body: body)
    }

    public static func readStatus(_ body: ByteBuffer) -> UInt8? {
        body.getInteger(at: body.readerIndex, as: UInt8.self)
    }

    public static func parameterStatus(_ name: String, _ value: String) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeNullTerminatedString(name)
        body.writeNullTerminatedString(value)
        return PostgresFrame(type: parameterStatus, body: body)
    }

    public static func backendKeyData(processID: Int32, secretKey: Int32) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeInteger(processID)
        body.writeInteger(secretKey)
        return PostgresFrame(type: backendKeyData, body: body)
    }

    public static func readBackendKey(_ body: ByteBuffer) -> (processID: Int32, secretKey: Int32)? {
        var body = body
        guard let pid = body.readInteger(as: Int32.self), let key = body.readInteger(as: Int32.self) else { return nil }
        return (pid, key)
    }

    /// The tag of a `CommandComplete` (`UPDATE 3`, `SELECT 10`, `INSERT 0 1`).
    public static func readCommandTag(_ body: ByteBuffer) -> String? {
        var body = body
        return body.readNullTerminatedString()
    }

    /// The rows a command tag reports (its last number), nil for tags without one (`CREATE TABLE`).
    /// Read from the bytes, without splitting the tag into words: it runs for every statement.
    public static func rows(inTag tag: String) -> Int? {
        let bytes = tag.utf8
        let space = UInt8(ascii: " ")
        guard let lastByte = bytes.lastIndex(where: { $0 != space }) else { return nil }
        let end = bytes.index(after: lastByte)
        let wordStart = bytes[..<end].lastIndex(of: space).map(bytes.index(after:)) ?? bytes.startIndex
        // A tag of one word (`COMMIT`, `5`) reports no rows.
        guard bytes[..<wordStart].contains(where: { $0 != space }) else { return nil }
        return Int(tag[wordStart..<end])
    }
}

/// The fields of an `ErrorResponse` or `NoticeResponse`, by their one-letter codes.
public struct ErrorFields: Sendable, Equatable {
    public var fields: [(code: UInt8, value: String)]

    public static func == (lhs: ErrorFields, rhs: ErrorFields) -> Bool {
        lhs.fields.map(\.code) == rhs.fields.map(\.code) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    public init(fields: [(code: UInt8, value: String)]) {
        self.fields = fields
    }

    /// An error as PostgreSQL words one: severity, SQLSTATE, message, and optional detail and hint.
    public init(severity: String = "ERROR", code: String, message: String, detail: String? = nil, hint: String? = nil) {
        var fields: [(UInt8, String)] = [(0x53, severity), (0x56, severity), (0x43, code), (0x4D, message)]
        if let detail { fields.append((0x44, detail)) }
        if let hint { fields.append((0x48, hint)) }
        self.fields = fields
    }

    public init(_ body: ByteBuffer) throws(PostgresProtocolError) {
        var body = body
        var fields: [(UInt8, String)] = []
        while true {
            guard let code = body.readInteger(as: UInt8.self) else { throw PostgresProtocolError("an ErrorResponse without its terminator") }
            if code == 0 { break }
            guard let value = body.readNullTerminatedString() else { throw PostgresProtocolError("an ErrorResponse field without a value") }
            fields.append((code, value))
        }
        self.fields = fields
    }

    public subscript(code: Character) -> String? {
        guard let byte = code.asciiValue else { return nil }
        return fields.first { $0.code == byte }?.value
    }

    /// The SQLSTATE (`42501`).
    public var code: String? { self["C"] }
    public var message: String? { self["M"] }

    public func frame(notice: Bool = false) -> PostgresFrame {
        var body = ByteBuffer()
        for field in fields {
            body.writeInteger(field.code)
            body.writeNullTerminatedString(field.value)
        }
        body.writeInteger(UInt8(0))
        return PostgresFrame(type: notice ? Backend.noticeResponse : Backend.errorResponse, body: body)
    }
}
