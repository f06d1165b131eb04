#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the audit log could not be written or read. Every door turns this into a deny with the
/// message in the reason: a decision that cannot be recorded is not made.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(_ message: String) { self.message = message }

    /// `cannot open /x/log.jsonl: Permission denied`.
    static func system(_ what: String, _ path: String, _ code: Int32 = errno) -> AuditError {
        AuditError("cannot \(what) \(path): \(String(cString: strerror(code)))")
    }
}
