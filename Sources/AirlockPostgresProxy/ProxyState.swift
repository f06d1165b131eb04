import Synchronization

/// Counters a running proxy publishes for `airlock proxy status`.
public final class ProxyStats: Sendable {
    struct Counts: Sendable {
        var connectionsOpen = 0
        var connectionsTotal = 0
        var authenticationFailures = 0
        var statementsByClass: [String: Int] = [:]
        var denied = 0
        var approvalsRequested = 0
        var protocolErrors = 0
    }

    private let counts = Mutex(Counts())

    public init() {}

    func opened() { counts.withLock { $0.connectionsOpen += 1; $0.connectionsTotal += 1 } }
    func closed() { counts.withLock { $0.connectionsOpen -= 1 } }
    func authenticationFailed() { counts.withLock { $0.authenticationFailures += 1 } }
    func protocolError() { counts.withLock { $0.protocolErrors += 1 } }
    func statement(classes: [String], denied: Bool) {
        counts.withLock {
            for name in classes { $0.statementsByClass[name, default: 0] += 1 }
            if denied { $0.denied += 1 }
        }
    }
    func approvalRequested() { counts.withLock { $0.approvalsRequested += 1 } }

    /// A snapshot as JSON-ready values.
    public var snapshot: [String: Any] {
        let current = counts.withLock { $0 }
        return [
            "connections_open": current.connectionsOpen, "connections_total": current.connectionsTotal,
            "authentication_failures": current.authenticationFailures, "statements": current.statementsByClass,
            "denied": current.denied, "approvals_requested": current.approvalsRequested, "protocol_errors": current.protocolErrors,
        ]
    }

    public var openConnections: Int { counts.withLock { $0.connectionsOpen } }
}

/// The keys the proxy gives clients for CancelRequest, mapped to the upstream session's own:
/// a client never learns the server's process id or key, and a cancel reaches only the
/// session it belongs to.
final class CancelRegistry: Sendable {
    struct Target: Sendable {
        var host: String
        var port: Int
        var processID: Int32
        var secretKey: Int32
        /// Stops what the proxy itself is holding for the session (an approval hold).
        var cancelHold: @Sendable () -> Void = {}
    }

    private let entries = Mutex<[Int64: Target]>([:])
    private let nextID = Mutex<Int32>(1)

    /// A new process id for a client session.
    func allocateProcessID() -> Int32 {
        nextID.withLock { value in
            defer { value = value == Int32.max ? 1 : value + 1 }
            return value
        }
    }

    func register(processID: Int32, secretKey: Int32, target: Target) {
        entries.withLock { $0[Self.key(processID, secretKey)] = target }
    }

    func remove(processID: Int32, secretKey: Int32) {
        _ = entries.withLock { $0.removeValue(forKey: Self.key(processID, secretKey)) }
    }

    func target(processID: Int32, secretKey: Int32) -> Target? {
        entries.withLock { $0[Self.key(processID, secretKey)] }
    }

    static func key(_ pid: Int32, _ secret: Int32) -> Int64 { Int64(pid) << 32 | Int64(UInt32(bitPattern: secret)) }
}
