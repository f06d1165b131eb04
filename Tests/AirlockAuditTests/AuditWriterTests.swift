import Foundation
import Synchronization
import Testing
@testable import AirlockAudit

/// The background writer a busy door records through: queued records written in order, durable
/// ones acknowledged only once on disk, failures refused rather than lost.
@Suite struct AuditWriterTests {
    @Test func queuedAndDurableRecordsAreWrittenInOrder() throws {
        let log = ScratchLog()
        let writer = AuditWriter(store: log.store)
        try writer.enqueue(ScratchLog.record("SELECT 1"))
        try writer.enqueue(ScratchLog.record("SELECT 2"))
        // A durable record waits for its own write, and everything queued before it goes first.
        let stored = try writer.appendDurably(ScratchLog.record("UPDATE t SET a = 1"))
        #expect(stored.index == 2)
        #expect(try log.records().map(\.action.text) == ["SELECT 1", "SELECT 2", "UPDATE t SET a = 1"])
        writer.stop()
    }

    @Test func queuedRecordsReachTheDiskWithoutAnyoneWaiting() throws {
        let log = ScratchLog()
        let writer = AuditWriter(store: log.store)
        try writer.enqueue(ScratchLog.record("SELECT 1"))
        for _ in 0..<200 where log.lines.isEmpty { usleep(10_000) }
        #expect(log.lines.count == 1, "written within the lazy delay")
        writer.stop()
    }

    @Test func completionsComeOnceDurable() throws {
        let log = ScratchLog()
        let writer = AuditWriter(store: log.store)
        let indexes = Mutex<[UInt64]>([])
        let done = DispatchSemaphore(value: 0)
        for number in 0..<20 {
            writer.appendDurably(ScratchLog.record("INSERT \(number)")) { result in
                if case .success(let stored) = result { indexes.withLock { $0.append(stored.index) } }
                done.signal()
            }
        }
        for _ in 0..<20 { done.wait() }
        #expect(indexes.withLock { $0.sorted() } == Array(0..<20))
        #expect(log.lines.count == 20)
        writer.stop()
    }

    @Test func stopWritesWhatIsQueued() throws {
        let log = ScratchLog()
        let writer = AuditWriter(store: log.store)
        for number in 0..<50 { try writer.enqueue(ScratchLog.record("SELECT \(number)")) }
        writer.stop()
        #expect(log.lines.count == 50)
    }

    @Test func anUnwritableLogIsRefusedNotLost() throws {
        let file = NSTemporaryDirectory() + "airlock-not-a-dir-\(UUID().uuidString)"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = AuditWriter(store: AuditStore(directory: file + "/audit"))
        #expect(throws: AuditError.self) { try writer.appendDurably(ScratchLog.record("UPDATE t SET a = 1")) }
        // After a failure, a queued record waits for its own write, and fails with it.
        #expect(throws: AuditError.self) { try writer.enqueue(ScratchLog.record("SELECT 1")) }
        #expect(throws: AuditError.self) { try writer.flush() }
        writer.stop()
    }
}
