import AirlockPostgresWire
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL client at the level of protocol messages, over a blocking socket: for what real
/// clients do not send on purpose (pipelines with a refusal inside, FunctionCall, half a COPY,
/// mutated and truncated messages). Every read has a timeout, so a proxy that hangs fails the
/// test instead of blocking it.
final class WireClient {
    let fd: Int32
    private var pending = ByteBuffer()
    /// The process id and key the server (the proxy) gave for CancelRequest.
    var backendKey: (processID: Int32, secretKey: Int32)?

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    init(port: Int, timeoutSeconds: Int = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure("connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// How long a read waits before giving up.
    func setTimeout(milliseconds: Int) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ buffer: ByteBuffer) throws {
        var offset = 0
        let bytes = Array(buffer.readableBytesView)
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure("send failed: errno \(errno)") }
            offset += written
        }
    }

    func send(_ frames: [PostgresFrame]) throws {
        var buffer = ByteBuffer()
        for frame in frames { frame.write(into: &buffer) }
        try send(buffer)
    }

    /// The next server message; throws when the connection closes or nothing comes in time.
    func receive() throws -> PostgresFrame {
        let splitter = FrameSplitter(maximumLength: 1 << 30)
        while true {
            if let frame = try splitter.next(&pending) { return frame }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count == 0 { throw Failure("the connection was closed") }
            if count < 0 { throw Failure("receive failed: errno \(errno)") }
            pending.writeBytes(chunk[0..<count])
        }
    }

    /// Messages up to and including the next ReadyForQuery.
    func receiveUntilReady() throws -> [PostgresFrame] {
        var frames: [PostgresFrame] = []
        while true {
            let frame = try receive()
            frames.append(frame)
            if frame.type == Backend.readyForQuery { return frames }
        }
    }

    /// True once the server has closed the connection (reads what is left first).
    func isClosed() -> Bool {
        while true {
            do { _ = try receive() } catch { return true }
        }
    }

    /// Connects and authenticates as an agent with SCRAM-SHA-256; returns after ReadyForQuery.
    static func login(port: Int, agent: String, token: String, database: String = "postgres", extra: [StartupParameter] = []) throws -> WireClient {
        let client = try WireClient(port: port)
        var buffer = ByteBuffer()
        StartupMessage.encodeStartup([StartupParameter(name: "user", value: agent), StartupParameter(name: "database", value: database)] + extra, into: &buffer)
        try client.send(buffer)
        var exchange = SCRAMClientExchange(password: token, clientNonce: RandomText.nonce())
        while true {
            let frame = try client.receive()
            switch frame.type {
            case Backend.authentication:
                let (code, data) = try Backend.readAuthentication(frame.body)
                switch code {
                case 10: try client.send([Frontend.saslInitialResponse(mechanism: "SCRAM-SHA-256", exchange.clientFirst)])
                case 11: try client.send([Frontend.saslResponse(try exchange.receiveServerFirst(Array(data.readableBytesView)))])
                case 12: try exchange.receiveServerFinal(Array(data.readableBytesView))
                case 0: break
                default: throw Failure("unexpected authentication request \(code)")
                }
            case Backend.errorResponse:
                throw Failure("login refused: \((try? ErrorFields(frame.body))?.message ?? "?")")
            case Backend.readyForQuery:
                return client
            case Backend.backendKeyData:
                client.backendKey = Backend.readBackendKey(frame.body)
            default:
                continue
            }
        }
    }

    /// Sends a CancelRequest for this session on a new connection, as libpq's PQcancel does.
    func cancel(port: Int) throws {
        guard let key = backendKey else { throw Failure("no BackendKeyData was received") }
        let other = try WireClient(port: port)
        var buffer = ByteBuffer()
        StartupMessage.encodeCancel(processID: key.processID, secretKey: key.secretKey, into: &buffer)
        try other.send(buffer)
        _ = other.isClosed()
    }

    /// A simple query's messages, up to ReadyForQuery.
    func query(_ sql: String) throws -> [PostgresFrame] {
        try send([Frontend.queryFrame(sql)])
        return try receiveUntilReady()
    }
}

extension [PostgresFrame] {
    /// Type letters in order (`1`, `2`, `D`, `C`, `E`, `Z`), for asserting message sequences.
    var types: String { String(map(\.typeCharacter)) }

    var errors: [ErrorFields] { filter { $0.type == Backend.errorResponse }.compactMap { try? ErrorFields($0.body) } }

    /// Text of the first column of every DataRow.
    var firstColumn: [String] {
        filter { $0.type == Backend.dataRow }.compactMap { frame in
            var body = frame.body
            guard let count = body.readInteger(as: Int16.self), count > 0, let length = body.readInteger(as: Int32.self), length >= 0 else { return nil }
            return body.readString(length: Int(length))
        }
    }

    var readyStatus: Character? { last.flatMap { $0.type == Backend.readyForQuery ? Backend.readStatus($0.body).map { Character(Unicode.Scalar($0)) } : nil } }
}
