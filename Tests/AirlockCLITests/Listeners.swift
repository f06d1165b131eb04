import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real receivers on 127.0.0.1, port 0, for `airlock audit forward` to talk to.
enum Loopback {
    static func bound(_ type: Int32) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, type, 0)
        try #require(fd >= 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    static func receive(_ fd: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer[0..<n]) : nil
    }
}

/// Syslog over UDP: datagrams queue in the kernel until read.
final class UDPListener {
    let fd: Int32
    let port: UInt16

    init() throws { (fd, port) = try Loopback.bound(Int32(SOCK_DGRAM.rawValue)) }
    deinit { close(fd) }

    /// Every datagram waiting (stops after a quiet receive timeout or `limit`).
    func messages(limit: Int) -> [String] {
        var out: [String] = []
        while out.count < limit, let bytes = Loopback.receive(fd) { out.append(String(decoding: bytes, as: UTF8.self)) }
        return out
    }
}

/// Syslog over TCP: the kernel completes the handshake and buffers the frames, so the test
/// can accept after the forwarder has exited.
final class TCPListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        (fd, port) = try Loopback.bound(Int32(SOCK_STREAM.rawValue))
        listen(fd, 16)
    }
    deinit { close(fd) }

    /// Octet-counted frames (RFC 6587) from every connection made so far.
    func frames() throws -> [String] {
        var out: [String] = []
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { return out }
            let connection = accept(fd, nil, nil)
            try #require(connection >= 0)
            var timeout = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var bytes: [UInt8] = []
            while let chunk = Loopback.receive(connection) { bytes += chunk }
            close(connection)
            var position = 0
            while position < bytes.count {
                let space = try #require(bytes[position...].firstIndex(of: UInt8(ascii: " ")))
                let length = try #require(Int(String(decoding: bytes[position..<space], as: UTF8.self)))
                try #require(space + 1 + length <= bytes.count, "frame shorter than its count")
                out.append(String(decoding: bytes[(space + 1)..<(space + 1 + length)], as: UTF8.self))
                position = space + 1 + length
            }
        }
    }
}

/// A one-request-at-a-time HTTP/1.1 server standing in for Splunk's collector.
final class HTTPListener: @unchecked Sendable {
    struct Request {
        var line: String
        var headers: [String: String]
        var body: String
    }

    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var _status = 200
    private var _responseBody = #"{"text":"Success","code":0}"#

    var requests: [Request] { lock.withLock { _requests } }

    func respond(status: Int, body: String) { lock.withLock { _status = status; _responseBody = body } }

    init() throws {
        (fd, port) = try Loopback.bound(Int32(SOCK_STREAM.rawValue))
        listen(fd, 16)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    private func serve() {
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 || poller.revents & Int16(POLLNVAL) != 0 { return }
            if ready == 0 { continue }
            let connection = accept(fd, nil, nil)
            if connection < 0 { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var expected = 0
        while true {
            if headerEnd == nil, let range = bytes.firstRange(of: separator) {
                headerEnd = range.upperBound
                let head = String(decoding: bytes[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" { expected = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0 }
                }
            }
            if let headerEnd, bytes.count - headerEnd >= expected { break }
            guard let chunk = Loopback.receive(connection) else { return }
            bytes += chunk
        }
        guard let headerEnd else { return }
        let head = String(decoding: bytes[..<(headerEnd - 4)], as: UTF8.self).split(separator: "\r\n").map(String.init)
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let request = Request(line: head.first ?? "", headers: headers, body: String(decoding: bytes[headerEnd...], as: UTF8.self))
        let (status, body) = lock.withLock { () -> (Int, String) in
            _requests.append(request)
            return (_status, _responseBody)
        }
        let response = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let out = Array(response.utf8)
        _ = out.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
