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
        /// A simple Query of the proxy's own (BEGIN, a pre-image SELECT, COMMIT): every answer
        /// up to its ReadyForQuery goes to the session, none to the client.
        case own
        /// A client's simple Query run under a cap or a journal: every answer goes to the
        /// session, which forwards rows and holds back the end until it has decided.
        case guarded
    }

    /// What to do with one server message.
    public enum Action: Sendable, Equatable {
        case forward
        /// The answer to an injected message the client did not send.
        case swallow
        /// The error an injected denial provoked: send the denial's own error instead.
        case replaceWithDenial
        /// An answer to `.own` or `.guarded`: for the session to handle.
        case capture
    }

    /// Which of the client's own statements the last message ended, so a door can record
    /// each statement's result.
    public enum Ended: Sendable, Equatable {
        case none
        /// An Execute ended (CommandComplete, EmptyQueryResponse or PortalSuspended).
        case execute
        /// A simple Query ended (its ReadyForQuery).
        case query
        /// An error ended `count` Executes: the one that failed, when `firstFailed` (the error
        /// may be a Parse's or Bind's), and those the server skips up to the next Sync.
        case failedExecutes(count: Int, firstFailed: Bool)
    }

    /// Set by every `receive`.
    public private(set) var ended = Ended.none
    /// Set by every `receive`: the message answers a simple Query the client sent (one of its
    /// CommandCompletes or its error).
    public private(set) var answeredClientQuery = false

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
        ended = .none
        answeredClientQuery = front == .query(injected: false)
        if front == .own || front == .guarded {
            if type == Backend.readyForQuery { pop() }
            return .capture
        }
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
            if case .execute(let injected) = front {
                pop()
                if !injected { ended = .execute }
            }
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
                let failed = front == .execute(injected: false)
                var executes = 0
                // The server now skips to the next Sync.
                while let next = front, next != .sync {
                    pop()
                    if next == .execute(injected: false) { executes += 1 }
                }
                if executes > 0 { ended = .failedExecutes(count: executes, firstFailed: failed) }
                return injected && errorCode != "25P02" ? .replaceWithDenial : .forward
            }
        case Backend.readyForQuery:
            switch front {
            case .sync: pop()
            case .query(let injected):
                pop()
                if !injected { ended = .query }
            default: break
            }
            return .forward
        default:
            return .forward
        }
    }
}
