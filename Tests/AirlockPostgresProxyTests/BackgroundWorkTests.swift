import Foundation
import Synchronization
import NIOCore
import NIOPosix
import Testing

@testable import AirlockPostgresProxy

/// The proxy's own async work: where it runs, and that shutdown ends it rather than leaving it
/// parked (a snapshot waiting on a silent server would otherwise outlive the event loops).
@Suite struct BackgroundWorkTests {
    @Test func workRunsOnThePoolNotTheSharedCooperativeThreads() async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let work = BackgroundWork(pool: pool)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let name = try await work.run(on: loop) { threadName() }.get()
        #expect(name.hasPrefix("TP-#"), "ran on \(name)")
        await work.shutdown()
        try await pool.shutdownGracefully()
    }

    @Test(.timeLimit(.minutes(1))) func shutdownEndsAWaitOnASilentServerAndRefusesNewWork() async throws {
        // A server that accepts and never answers: the login waits for ever unless cancelled.
        let accepted = Counter()
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let work = BackgroundWork(pool: pool)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let upstream = Upstream(
            name: "silent", host: "127.0.0.1", port: try #require(silent.localAddress?.port), database: "postgres", environment: "production", user: "airlock")
        let login = work.run(on: loop) {
            try await UpstreamConnection.connect(to: upstream, password: nil, group: MultiThreadedEventLoopGroup.singleton)
        }
        for _ in 0..<200 where accepted.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(100))  // the StartupMessage sent, the login waiting
        await work.shutdown()
        await #expect(throws: UpstreamError.self) { _ = try await login.get() }
        await #expect(throws: ProxyShuttingDown.self) { try await work.run(on: loop) { 1 }.get() }
        try await pool.shutdownGracefully()
        try await silent.close()
    }
}

private final class Counter: Sendable {
    let value = Mutex(0)
}

private func threadName() -> String { Thread.current.name ?? "" }
