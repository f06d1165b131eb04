#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where syslog messages go: `udp://HOST:PORT` or `tcp://HOST:PORT` (IPv6 as `[::1]:514`).
public struct SyslogDestination: Sendable, Hashable, CustomStringConvertible {
    /// UDP (RFC 5426, one message per datagram) or TCP (RFC 6587, octet-counted frames).
    public enum Transport: String, Sendable, Hashable { case udp, tcp }

    public var transport: Transport
    public var host: String
    public var port: UInt16

    public init(transport: Transport, host: String, port: UInt16) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// Parses the URL; the error says what is wrong with it.
    public init(url: String) throws(AuditError) {
        let parts = url.split(separator: "://", maxSplits: 1)
        guard parts.count == 2, let transport = Transport(rawValue: parts[0].lowercased()) else {
            throw AuditError("syslog destination \(url) must be udp://HOST:PORT or tcp://HOST:PORT")
        }
        var rest = Substring(parts[1])
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw AuditError("syslog destination \(url): an IPv6 address is written [ADDRESS]:PORT")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw AuditError("syslog destination \(url) has no port (udp://HOST:PORT)") }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw AuditError("syslog destination \(url) has no host") }
        guard let port = UInt16(portText), port > 0 else { throw AuditError("syslog destination \(url): port \(portText) is not 1-65535") }
        self.init(transport: transport, host: String(host), port: port)
    }

    public var description: String {
        "\(transport.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Sends syslog messages over a plain socket, without Foundation. TCP writes block until the
/// kernel has taken every byte; UDP is fire-and-forget by nature.
public final class SyslogSender {
    public let destination: SyslogDestination
    private var fd: Int32 = -1
    /// Seconds to wait for a TCP connection or a blocked write.
    public var timeoutSeconds: Int32 = 10

    public init(destination: SyslogDestination) {
        self.destination = destination
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { _ = Glibc_close(fd) }
        fd = -1
    }

    /// Sends each message as its own datagram (UDP) or octet-counted frame (TCP).
    public func send(_ messages: [String]) throws(AuditError) {
        if fd < 0 { try connect() }
        switch destination.transport {
        case .udp:
            for message in messages {
                let bytes = Array(message.utf8)
                let sent = bytes.withUnsafeBytes { Glibc_send(fd, $0.baseAddress, $0.count) }
                if sent < 0 { throw failure("send to") }
            }
        case .tcp:
            var frames: [UInt8] = []
            for message in messages { frames += Syslog5424.octetCounted(message) }
            var done = 0
            while done < frames.count {
                let sent = frames.withUnsafeBytes { Glibc_send(fd, $0.baseAddress.map { $0 + done }, $0.count - done) }
                if sent < 0 {
                    if errno == EINTR { continue }
                    let error = failure("send to")
                    close()
                    throw error
                }
                done += sent
            }
        }
    }

    private func failure(_ what: String, _ code: Int32 = errno) -> AuditError {
        AuditError("cannot \(what) \(destination) (host \(destination.host), port \(destination.port)): \(String(cString: strerror(code))) (errno \(code))")
    }

    private func connect() throws(AuditError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = destination.transport == .tcp ? socketStream : socketDatagram
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(destination.host, String(destination.port), &hints, &list)
        guard status == 0, let first = list else {
            throw AuditError("cannot resolve \(destination.host) for \(destination) (port \(destination.port)): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = AuditError("cannot connect to \(destination): no addresses for \(destination.host)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let candidate = entry {
            entry = candidate.pointee.ai_next
            let socketFD = socket(candidate.pointee.ai_family, candidate.pointee.ai_socktype, candidate.pointee.ai_protocol)
            if socketFD < 0 { lastError = failure("open a socket for"); continue }
            #if canImport(Darwin)
            var one: Int32 = 1
            setsockopt(socketFD, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
            setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connectWithTimeout(socketFD, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen) {
                fd = socketFD
                return
            }
            lastError = failure("connect to")
            _ = Glibc_close(socketFD)
        }
        throw lastError
    }

    /// A TCP connect to a host that drops packets would otherwise hang for minutes.
    private func connectWithTimeout(_ socketFD: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Bool {
        let flags = fcntl(socketFD, F_GETFL, 0)
        _ = fcntl(socketFD, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(socketFD, F_SETFL, flags) }
        if Glibc_connect(socketFD, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: socketFD, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, timeoutSeconds * 1000)
        guard ready > 0 else {
            errno = ready == 0 ? ETIMEDOUT : errno
            return false
        }
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(socketFD, SOL_SOCKET, SO_ERROR, &code, &size)
        if code != 0 { errno = code; return false }
        return true
    }
}

// The socket calls share names with this type's methods; these keep them apart.
private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
private func Glibc_connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Int32 { connect(fd, address, length) }
private func Glibc_send(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    #else
    send(fd, bytes, count, 0)
    #endif
}

#if canImport(Glibc)
private let socketStream = Int32(SOCK_STREAM.rawValue)
private let socketDatagram = Int32(SOCK_DGRAM.rawValue)
#else
private let socketStream = SOCK_STREAM
private let socketDatagram = SOCK_DGRAM
#endif
