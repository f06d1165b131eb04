import AirlockSQL
import Synchronization

/// Classifications of statement texts the proxy has seen, so a statement prepared or sent again
/// (ORMs and drivers repeat the same texts) is parsed once. Bounded: when full it starts over.
final class ClassificationCache: Sendable {
    private let entries = Mutex<[String: [SQLStatement]]>([:])
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func statements(for text: String) -> [SQLStatement] {
        if let known = entries.withLock({ $0[text] }) { return known }
        let classified = SQLClassifier.classify(text, dialect: .postgres)
        // Texts longer than this are rarely repeated: not worth keeping.
        guard text.utf8.count <= 16_384 else { return classified }
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = classified
        }
        return classified
    }
}
