import AirlockAudit
import AirlockCore
import AirlockJournal
import AirlockPostgresProxy
import AirlockRuntime
import Foundation
import NIOPosix

/// What `airlock undo` and `airlock journal` share: the home, the upstreams (checked against
/// the policy's environments, as the proxy checks them), Airlock's own connection, and a way
/// for these synchronous commands to run the async restore code.
enum JournalCLI {
    static var home: String {
        let environment = ProcessFacts.environment()
        return AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
    }

    /// Settings for Airlock's restore connections: a restore waits at most 10 s for a lock
    /// (an agent's open transaction must not hang it) and is never cut short by a role's
    /// statement_timeout meant for agents' queries.
    static let connectionSettings = ["lock_timeout": "10s", "statement_timeout": "0"]

    /// The upstreams, read as `airlock proxy postgres` reads them.
    static func upstreams(home: String, policy: String?) throws -> [Upstream] {
        let context = Context(user: ProcessFacts.userName(), workingDirectory: "/", homeDirectory: home, airlockHome: home)
        let loaded: Policy
        switch PolicyResolution.load(explicit: policy, context: context, files: LocalFiles()) {
        case .loaded(let policy, _): loaded = policy
        case .failed(let problems):
            throw CLIError("the policy does not load, so the upstreams cannot be checked against it:\n  " + problems.joined(separator: "\n  "))
        }
        do {
            return try UpstreamsFile.load(home: home, knownEnvironments: Set(loaded.environments.map(\.name) + ["unknown"]))
        } catch {
            throw CLIError("\(error)")
        }
    }

    static func upstream(named name: String, in upstreams: [Upstream], home: String, entry: String) throws -> Upstream {
        guard let upstream = upstreams.first(where: { $0.name == name }) else {
            throw CLIError(
                "journal entry \(entry) was taken on upstream '\(name)', which \(UpstreamsFile.path(home: home)) no longer declares "
                    + "(declared: \(upstreams.map(\.name).joined(separator: ", "))); declare it again to restore there")
        }
        return upstream
    }

    /// Runs `body` with a connection to `upstream` as Airlock, closing it after.
    static func withConnection<T: Sendable>(
        to upstream: Upstream, _ body: @escaping @Sendable (UpstreamConnection) async throws -> T
    ) throws -> T {
        let password: String?
        do { password = try upstream.resolvePassword() } catch { throw CLIError("\(error)") }
        return try runBlocking {
            let connection = try await UpstreamConnection.connect(
                to: upstream, password: password, group: MultiThreadedEventLoopGroup.singleton, settings: connectionSettings)
            do {
                let result = try await body(connection)
                connection.close()
                return result
            } catch {
                connection.close()
                throw error
            }
        }
    }

    /// Runs async code from a synchronous command: the main thread waits while a task runs on
    /// the cooperative pool (which the main thread is not part of).
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }

    /// A size for people (`12.3 MB`).
    static func size(_ bytes: Int) -> String {
        if bytes < 1_000 { return "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1_000
        var unit = 0
        while value >= 1_000 && unit < units.count - 1 {
            value /= 1_000
            unit += 1
        }
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }
}

/// A result handed from the task to the waiting thread.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) { lock.withLock { self.result = result } }

    func get() throws -> T {
        guard let result = lock.withLock({ self.result }) else { throw CLIError("internal error: the task ended without a result") }
        return try result.get()
    }
}

/// A one-line progress bar on stderr, redrawn in place, shown only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var lastPercent = -1
    private var lastLabel = ""

    init(enabled: Bool = ProcessFacts.isTerminal(2)) {
        self.enabled = enabled
    }

    func update(_ progress: RestoreProgress) {
        guard enabled else { return }
        let percent = progress.bytesTotal > 0 ? min(100, progress.bytesDone * 100 / progress.bytesTotal) : 100
        lock.withLock {
            guard percent != lastPercent || progress.table != lastLabel else { return }
            lastPercent = percent
            lastLabel = progress.table
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.render(progress, width: 30)).utf8))
        }
    }

    func finish() {
        guard enabled, lastPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `restoring public.t [#########.....]  62%  1.2 MB / 2.0 MB`.
    static func render(_ progress: RestoreProgress, width: Int) -> String {
        let fraction = progress.bytesTotal > 0 ? min(1, Double(progress.bytesDone) / Double(progress.bytesTotal)) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = String(Int(fraction * 100))
        return "restoring \(progress.table) [\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%  "
            + "\(JournalCLI.size(progress.bytesDone)) / \(JournalCLI.size(progress.bytesTotal))"
    }
}
