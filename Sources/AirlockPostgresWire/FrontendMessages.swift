import NIOCore

/// The bodies of the client messages the gate reads. Each parser takes a frame's body and
/// throws `PostgresProtocolError` on anything malformed, so junk is refused, never guessed at.
public enum Frontend {
    public static let query: UInt8 = 0x51        // Q
    public static let parse: UInt8 = 0x50        // P
    public static let bind: UInt8 = 0x42         // B
    public static let execute: UInt8 = 0x45      // E
    public static let describe: UInt8 = 0x44     // D
    public static let close: UInt8 = 0x43        // C
    public static let sync: UInt8 = 0x53         // S
    public static let flush: UInt8 = 0x48        // H
    public static let terminate: UInt8 = 0x58    // X
    public static let copyData: UInt8 = 0x64     // d
    public static let copyDone: UInt8 = 0x63     // c
    public static let copyFail: UInt8 = 0x66     // f
    public static let functionCall: UInt8 = 0x46 // F
    public static let password: UInt8 = 0x70     // p (password, SASL initial and continued responses)

    /// `Query`: the SQL text.
    public static func queryText(_ body: ByteBuffer) throws(PostgresProtocolError) -> String {
        var body = body
        guard let text = body.readNullTerminatedString(), body.readableBytes == 0 else {
            throw PostgresProtocolError("a Query message whose text is not one terminated string")
        }
        return text
    }

    /// `Parse`: statement name, SQL text and the parameter types given (0 = unspecified).
    public struct Parse: Sendable, Equatable {
        public var name: String
        public var text: String
        public var parameterTypes: [UInt32]

        public init(name: String, text: String, parameterTypes: [UInt32] = []) {
            self.name = name
            self.text = text
            self.parameterTypes = parameterTypes
        }

        public init(_ body: ByteBuffer) throws(PostgresProtocolError) {
            var body = body
            guard let name = body.readNullTerminatedString(), let text = body.readNullTerminatedString(),
                  let count = body.readInteger(as: Int16.self), count >= 0,
                  body.readableBytes == Int(count) * 4
            else { throw PostgresProtocolError("a malformed Parse message") }
            var types: [UInt32] = []
            for _ in 0..<count { types.append(body.readInteger(as: UInt32.self) ?? 0) }
            self.init(name: name, text: text, parameterTypes: types)
        }

        public var frame: PostgresFrame {
            var body = ByteBuffer()
            body.writeNullTerminatedString(name)
            body.writeNullTerminatedString(text)
            body.writeInteger(Int16(parameterTypes.count))
            for type in parameterTypes { body.writeInteger(type) }
            return PostgresFrame(type: Frontend.parse, body: body)
        }
    }

    /// `Bind`: the portal and the statement it is bound from (the parameters are not read: they
    /// are values, never SQL).
    public struct Bind: Sendable, Equatable {
        public var portal: String
        public var statement: String

        public init(portal: String, statement: String) {
            self.portal = portal
            self.statement = statement
        }

        public init(_ body: ByteBuffer) throws(PostgresProtocolError) {
            var body = body
            guard let portal = body.readNullTerminatedString(), let statement = body.readNullTerminatedString() else {
                throw PostgresProtocolError("a malformed Bind message")
            }
            self.init(portal: portal, statement: statement)
        }

        /// A Bind with no parameters and default result formats.
        public var frame: PostgresFrame {
            var body = ByteBuffer()
            body.writeNullTerminatedString(portal)
            body.writeNullTerminatedString(statement)
            body.writeInteger(Int16(0))
            body.writeInteger(Int16(0))
            body.writeInteger(Int16(0))
            return PostgresFrame(type: Frontend.bind, body: body)
        }
    }

    /// `Execute`: the portal and the row limit (0 = all).
    public static func execute(portal: String, maxRows: Int32 = 0) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeNullTerminatedString(portal)
        body.writeInteger(maxRows)
        return PostgresFrame(type: Frontend.execute, body: body)
    }

    /// The portal an `Execute` runs.
    public static func executePortal(_ body: ByteBuffer) throws(PostgresProtocolError) -> String {
        var body = body
        guard let portal = body.readNullTerminatedString(), body.readInteger(as: Int32.self) != nil, body.readableBytes == 0 else {
            throw PostgresProtocolError("a malformed Execute message")
        }
        return portal
    }

    /// `Describe` or `Close`: `S` (statement) or `P` (portal), and the name.
    public static func target(_ body: ByteBuffer, of what: String) throws(PostgresProtocolError) -> (kind: UInt8, name: String) {
        var body = body
        guard let kind = body.readInteger(as: UInt8.self), kind == 0x53 || kind == 0x50,
              let name = body.readNullTerminatedString(), body.readableBytes == 0
        else { throw PostgresProtocolError("a malformed \(what) message") }
        return (kind, name)
    }

    /// A `Query` message.
    public static func queryFrame(_ text: String) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeNullTerminatedString(text)
        return PostgresFrame(type: query, body: body)
    }

    /// A `PasswordMessage` (cleartext or MD5 answer).
    public static func passwordFrame(_ text: String) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeNullTerminatedString(text)
        return PostgresFrame(type: password, body: body)
    }

    /// `SASLInitialResponse`: mechanism and the first client message.
    public static func saslInitialResponse(mechanism: String, _ message: [UInt8]) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeNullTerminatedString(mechanism)
        body.writeInteger(Int32(message.count))
        body.writeBytes(message)
        return PostgresFrame(type: password, body: body)
    }

    /// `SASLResponse`: a continued client message.
    public static func saslResponse(_ message: [UInt8]) -> PostgresFrame {
        var body = ByteBuffer()
        body.writeBytes(message)
        return PostgresFrame(type: password, body: body)
    }

    /// The mechanism and data of a `SASLInitialResponse`.
    public static func readSASLInitial(_ body: ByteBuffer) throws(PostgresProtocolError) -> (mechanism: String, data: [UInt8]) {
        var body = body
        guard let mechanism = body.readNullTerminatedString(), let length = body.readInteger(as: Int32.self) else {
            throw PostgresProtocolError("a malformed SASLInitialResponse")
        }
        if length == -1 { return (mechanism, []) }
        guard length >= 0, body.readableBytes == Int(length), let data = body.readBytes(length: Int(length)) else {
            throw PostgresProtocolError("a malformed SASLInitialResponse")
        }
        return (mechanism, data)
    }
}
