import Dispatch
import NIOCore
import NIOPosix
import Synchronization

/// The proxy's own async work (a table snapshot before an approved DROP or TRUNCATE), run on
/// the proxy's thread pool and tracked so shutdown can end it.
///
/// Two reasons it does not simply use `Task {}`. The process's shared cooperative pool has
/// one thread per core, and code that embeds the proxy may block those threads (a caller
/// waiting synchronously for the very statement the snapshot is holding back); the snapshot
/// would then never run, and the agent's statement would hang. And an event loop group shut
/// down under a running task drops the promise that carries its result: shutdown first
/// cancels the work (which closes its connections) and waits for it.
final class BackgroundWork: Sendable {
    private let executor: ThreadPoolTaskExecutor
    private let state = Mutex(State())

    private struct State {
        var open = true
        var nextID = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }

    init(pool: NIOThreadPool) {
        executor = ThreadPoolTaskExecutor(pool: pool)
    }

    /// Runs `body` on the pool; its outcome completes the returned future on `loop`. After
    /// `shutdown()` has begun, the future fails at once and `body` does not run.
    func run<T: Sendable>(on loop: any EventLoop, _ body: @escaping @Sendable () async throws -> T) -> EventLoopFuture<T> {
        let promise = loop.makePromise(of: T.self)
        // The task removes itself under the same lock, so never before it is added.
        state.withLock { current in
            guard current.open else { return promise.fail(ProxyShuttingDown()) }
            let id = current.nextID
            current.nextID += 1
            current.tasks[id] = Task(executorPreference: executor) { [self] in
                do { promise.succeed(try await body()) } catch { promise.fail(error) }
                _ = state.withLock { $0.tasks.removeValue(forKey: id) }
            }
        }
        return promise.futureResult
    }

    /// Refuses new work, cancels what runs and waits for it to end (each result is delivered
    /// to its loop, which must still be running).
    func shutdown() async {
        let running = state.withLock { state in
            state.open = false
            return Array(state.tasks.values)
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// `shutdown()` for callers that cannot await: waits on the pool's threads, never on the
    /// cooperative pool (which the caller may be blocking).
    func shutdownAndWait() {
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) { [self] in
            await shutdown()
            done.signal()
        }
        done.wait()
    }
}

/// Work asked of a proxy that is shutting down.
struct ProxyShuttingDown: Error, CustomStringConvertible {
    var description: String { "the proxy is shutting down" }
}

/// A task executor whose jobs run on a `NIOThreadPool`.
final class ThreadPoolTaskExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A stopped pool hands the item over as cancelled; the job runs all the same, since a
        // job that never runs leaves its task suspended for ever.
        pool.submit { [self] _ in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
