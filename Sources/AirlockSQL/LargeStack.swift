#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a thread with a large stack. PostgreSQL's parser and libpg_query's tree
/// output recurse once per operator in a chain (`1+1+…`): about 100 bytes a level, so a long
/// enough chain overflows an ordinary thread's stack and kills the process, which a hook's
/// host may read as "no objection". The stack is reserved, not committed: only the pages a
/// deep statement touches are used.
enum LargeStack {
    /// Enough for any text up to `smallStackLimit` bytes (at most one operator per two bytes),
    /// and small enough for glibc to keep the stack for the next thread instead of unmapping it.
    static let smallStack = 32 * 1024 * 1024
    static let smallStackLimit = 256 * 1024
    /// For larger texts, up to the classifier's 4 MB limit.
    static let largeStack = 512 * 1024 * 1024

    private final class Job: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// The result of `body`, computed on a thread with a stack fit for a text of `textSize`
    /// bytes; nil when no thread could be made.
    static func run<T>(textSize: Int, _ body: @escaping () -> T) -> T? {
        let size = textSize <= smallStackLimit ? smallStack : largeStack
        nonisolated(unsafe) var result: T?
        let job = Job { result = body() }
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return nil }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, size) == 0 else { return nil }
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let context = Unmanaged.passRetained(job).toOpaque()
        let created = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
            job.body()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
        return result
    }
}
