import AirlockPostgresWire

/// What the proxy expects back from the server for the messages it forwarded, in order, so it
/// can tell which responses answer the messages it injected (a denial) and the client never
/// sent. Pure: fed with message types, it says what to do with each server message.
///
/// The rules are PostgreSQL's: every Parse, Bind, Close and Sync gets one answer; a Describe
/// ends with RowDescription or NoData; an Execute with CommandComplete, EmptyQueryResponse or
/// PortalSuspended; a simple Query (and a FunctionCall) ends with ReadyForQuery. After an error
/// in the extended protocol the server skips everything up to the next Sync.
public struct ResponseTracker: Sendable {
    /// A forwarded message awaiting its answer. `injected` marks the proxy's own messages.
    public enum Expectation: Sendable, Equatable {
        case parse(injected: Bool)
        case bind(injected: Bool)
        case execute(injected: Bool)
        case describe
        case close
        case sync
        case query(injected: Bool)
    }

    /// What to do with one server message.
    public enum Action: Sendable, Equatable {
        case forward
        /// The answer to an injected message the client did not send.
        case swallow
        /// The error an injected denial provoked: send the denial's own error instead.
        case replaceWithDenial
    }

    public private(set) var pending: [Expectation] = []
    private var head = 0

    public init() {}

    public var isIdle: Bool { head == pending.count }

    public mutating func expect(_ expectation: Expectation) {
        pending.append(expectation)
    }

    private var front: Expectation? { head < pending.count ? pending[head] : nil }

    private mutating func pop() {
        guard head < pending.count else { return }
        head += 1
        if head > 64 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }

    /// Decides on one server message by type; `code` is an ErrorResponse's SQLSTATE.
    public mutating func receive(_ type: UInt8, errorCode: String? = nil) -> Action {
        switch type {
        case Backend.parseComplete:
            guard case .parse(let injected) = front else { return .forward }
            pop()
            return injected ? .swallow : .forward
        case Backend.bindComplete:
            guard case .bind(let injected) = front else { return .forward }
            pop()
            return injected ? .swallow : .forward
        case Backend.closeComplete:
            if front == .close { pop() }
            return .forward
        case Backend.rowDescription, Backend.noData:
            if front == .describe { pop() }
            return .forward
        case Backend.commandComplete, Backend.emptyQuery, Backend.portalSuspended:
            if case .execute = front { pop() }
            return .forward
        case Backend.errorResponse:
            switch front {
            case .query(let injected):
                return injected && errorCode != "25P02" ? .replaceWithDenial : .forward
            case nil:
                return .forward
            default:
                let injected: Bool
                switch front {
                case .parse(true), .bind(true), .execute(true): injected = true
                default: injected = false
                }
                // The server now skips to the next Sync.
                while let next = front, next != .sync { pop() }
                return injected && errorCode != "25P02" ? .replaceWithDenial : .forward
            }
        case Backend.readyForQuery:
            switch front {
            case .sync, .query: pop()
            default: break
            }
            return .forward
        default:
            return .forward
        }
    }
}
