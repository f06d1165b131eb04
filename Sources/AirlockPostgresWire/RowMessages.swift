import NIOCore

/// Query results and COPY as values: what Airlock's own connection to a server (the undo
/// journal's captures and restores) reads and writes.
extension Backend {
    /// One field of a `RowDescription`.
    public struct Field: Sendable, Equatable {
        public var name: String
        /// The table's OID and the column's attribute number (0 when not a table column).
        public var tableOID: UInt32
        public var columnNumber: Int16
        public var typeOID: UInt32
        public var typeSize: Int16
        public var typeModifier: Int32
        /// 0 text, 1 binary.
        public var format: Int16

        public init(name: String, tableOID: UInt32 = 0, columnNumber: Int16 = 0, typeOID: UInt32, typeSize: Int16 = -1, typeModifier: Int32 = -1, format: Int16 = 0) {
            self.name = name
            self.tableOID = tableOID
            self.columnNumber = columnNumber
            self.typeOID = typeOID
            self.typeSize = typeSize
            self.typeModifier = typeModifier
            self.format = format
        }
    }

    /// The fields of a `RowDescription`.
    public static func readRowDescription(_ body: ByteBuffer) throws(PostgresProtocolError) -> [Field] {
        var body = body
        guard let count = body.readInteger(as: Int16.self), count >= 0 else { throw PostgresProtocolError("a RowDescription without its field count") }
        var fields: [Field] = []
        fields.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let name = body.readNullTerminatedString(), let table = body.readInteger(as: UInt32.self), let column = body.readInteger(as: Int16.self),
                  let type = body.readInteger(as: UInt32.self), let size = body.readInteger(as: Int16.self), let modifier = body.readInteger(as: Int32.self),
                  let format = body.readInteger(as: Int16.self)
            else { throw PostgresProtocolError("a malformed RowDescription") }
            fields.append(Field(name: name, tableOID: table, columnNumber: column, typeOID: type, typeSize: size, typeModifier: modifier, format: format))
        }
        guard body.readableBytes == 0 else { throw PostgresProtocolError("a RowDescription with bytes after its fields") }
        return fields
    }

    /// The values of a `DataRow`, each as the bytes the server sent (nil for NULL).
    public static func readDataRow(_ body: ByteBuffer) throws(PostgresProtocolError) -> [[UInt8]?] {
        var body = body
        guard let count = body.readInteger(as: Int16.self), count >= 0 else { throw PostgresProtocolError("a DataRow without its column count") }
        var values: [[UInt8]?] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = body.readInteger(as: Int32.self) else { throw PostgresProtocolError("a malformed DataRow") }
            if length == -1 {
                values.append(nil)
                continue
            }
            guard length >= 0, let value = body.readBytes(length: Int(length)) else { throw PostgresProtocolError("a DataRow value longer than its message") }
            values.append(value)
        }
        guard body.readableBytes == 0 else { throw PostgresProtocolError("a DataRow with bytes after its values") }
        return values
    }

    /// A `DataRow` of text values (nil is NULL).
    public static func dataRow(_ values: [[UInt8]?]) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeInteger(Int16(values.count))
        for value in values {
            if let value {
                body.writeInteger(Int32(value.count))
                body.writeBytes(value)
            } else {
                body.writeInteger(Int32(-1))
            }
        }
        return PostgresFrame(type: dataRow, body: body)
    }
}

extension Frontend {
    /// `CopyData` carrying `bytes`.
    public static func copyDataFrame(_ bytes: some Collection<UInt8>) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeBytes(bytes)
        return PostgresFrame(type: copyData, body: body)
    }

    /// `CopyDone`.
    public static var copyDoneFrame: PostgresFrame { PostgresFrame(type: copyDone, body: ByteBuffer()) }

    /// `CopyFail` with the reason the server reports back in its error.
    public static func copyFailFrame(_ reason: String) -> PostgresFrame {
        var body = ByteBuffer()
        // A NUL would end the string early: the reason is for people, so drop any.
        body.writeNullTerminatedString(String(String.UnicodeScalarView(reason.unicodeScalars.filter { $0.value != 0 })))
        return PostgresFrame(type: copyFail, body: body)
    }

    /// `Terminate`.
    public static var terminateFrame: PostgresFrame { PostgresFrame(type: terminate, body: ByteBuffer()) }
}
