import NIOCore

/// PostgreSQL's frontend/backend protocol, version 3.0: constants shared by both directions.
public enum PostgresWire {
    /// Protocol 3.0, as a StartupMessage carries it.
    public static let protocolVersion: Int32 = 196_608
    /// The codes an untyped startup-phase message carries in place of a protocol version.
    public static let sslRequestCode: Int32 = 80_877_103
    public static let gssEncRequestCode: Int32 = 80_877_104
    public static let cancelRequestCode: Int32 = 80_877_102
    /// The largest message the proxy accepts from a client. PostgreSQL's own limit is 1 GB;
    /// agents have no business sending more than this in one message (COPY data comes in
    /// many CopyData messages).
    public static let maximumFrontendMessage = 64 << 20
    /// The largest startup-phase message (PostgreSQL refuses more than 10,000 bytes).
    public static let maximumStartupMessage = 10_000
}

/// One typed protocol message: its type byte and its body (without the length word). The proxy
/// forwards frames as they came and reads only the bodies it must judge.
public struct PostgresFrame: Sendable, Equatable {
    public var type: UInt8
    public var body: ByteBuffer

    public init(type: UInt8, body: ByteBuffer) {
        self.type = type
        self.body = body
    }

    public init(_ type: Character, body: ByteBuffer = ByteBuffer()) {
        self.type = type.asciiValue ?? 0
        self.body = body
    }

    /// The type as a character, for messages and tests (`Q`, `P`, `E`).
    public var typeCharacter: Character { Character(Unicode.Scalar(type)) }

    /// The frame on the wire: type, length (which counts itself), body.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(type)
        buffer.writeInteger(Int32(body.readableBytes + 4))
        var body = body
        buffer.writeBuffer(&body)
    }
}

/// A protocol error in what a peer sent: the message names it; the connection cannot continue.
public struct PostgresProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Splits a byte stream into typed frames, refusing lengths that are negative, shorter than the
/// length word or longer than `maximumLength`.
public struct FrameSplitter: Sendable {
    public let maximumLength: Int

    public init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    /// The next whole frame, or nil when more bytes are needed.
    public func next(_ buffer: inout ByteBuffer) throws(PostgresProtocolError) -> PostgresFrame? {
        guard buffer.readableBytes >= 5,
              let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self)
        else { return nil }
        guard length >= 4 else { throw PostgresProtocolError("a message of type \(Self.describe(type)) declares an invalid length \(length)") }
        guard Int(length) <= maximumLength else {
            throw PostgresProtocolError("a message of type \(Self.describe(type)) of \(length) bytes is longer than the \(maximumLength) bytes accepted")
        }
        guard buffer.readableBytes >= Int(length) + 1 else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        guard let body = buffer.readSlice(length: Int(length) - 4) else { return nil }
        return PostgresFrame(type: type, body: body)
    }

    static func describe(_ type: UInt8) -> String {
        (0x21...0x7E).contains(type) ? "'\(Character(Unicode.Scalar(type)))'" : "0x" + String(type, radix: 16)
    }
}

/// The first message(s) a client sends, which carry no type byte.
public enum StartupMessage: Sendable, Equatable {
    case sslRequest
    case gssEncRequest
    case cancel(processID: Int32, secretKey: Int32)
    /// Protocol 3.x start-up: the parameters in the order sent (`user`, `database`, …).
    case startup(version: Int32, parameters: [StartupParameter])

    /// The next whole startup-phase message, or nil when more bytes are needed.
    public static func next(_ buffer: inout ByteBuffer) throws(PostgresProtocolError) -> StartupMessage? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard length >= 8, Int(length) <= PostgresWire.maximumStartupMessage else {
            throw PostgresProtocolError("a start-up message declares an invalid length \(length)")
        }
        guard buffer.readableBytes >= Int(length), var body = buffer.readSlice(length: Int(length)) else { return nil }
        body.moveReaderIndex(forwardBy: 4)
        guard let code = body.readInteger(as: Int32.self) else { throw PostgresProtocolError("a start-up message without a code") }
        switch code {
        case PostgresWire.sslRequestCode: return .sslRequest
        case PostgresWire.gssEncRequestCode: return .gssEncRequest
        case PostgresWire.cancelRequestCode:
            guard let pid = body.readInteger(as: Int32.self), let key = body.readInteger(as: Int32.self) else {
                throw PostgresProtocolError("a CancelRequest without its process id and key")
            }
            return .cancel(processID: pid, secretKey: key)
        default:
            guard code >> 16 == 3 else {
                throw PostgresProtocolError("protocol version \(code >> 16).\(code & 0xFFFF) is not supported; Airlock speaks 3.0")
            }
            var parameters: [StartupParameter] = []
            while true {
                guard let name = body.readNullTerminatedString() else { throw PostgresProtocolError("a start-up message whose parameters are not terminated") }
                if name.isEmpty { break }
                guard let value = body.readNullTerminatedString() else { throw PostgresProtocolError("start-up parameter '\(name)' has no value") }
                parameters.append(StartupParameter(name: name, value: value))
            }
            return .startup(version: code, parameters: parameters)
        }
    }

    /// A StartupMessage on the wire.
    public static func encodeStartup(_ parameters: [StartupParameter], into buffer: inout ByteBuffer) {
        var body = ByteBuffer()
        body.writeInteger(PostgresWire.protocolVersion)
        for parameter in parameters {
            body.writeNullTerminatedString(parameter.name)
            body.writeNullTerminatedString(parameter.value)
        }
        body.writeInteger(UInt8(0))
        buffer.writeInteger(Int32(body.readableBytes + 4))
        buffer.writeBuffer(&body)
    }

    /// A CancelRequest on the wire.
    public static func encodeCancel(processID: Int32, secretKey: Int32, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(16))
        buffer.writeInteger(PostgresWire.cancelRequestCode)
        buffer.writeInteger(processID)
        buffer.writeInteger(secretKey)
    }
}

/// One `name=value` of a StartupMessage.
public struct StartupParameter: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
