#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ids people read aloud and type: Crockford base32 (no I, L, O or U, so nothing is mistaken
/// for a digit), drawn from the system's secure generator. `K7QF-2M` for approval requests
/// (30 bits), `FZ-7K2M` for freezes.
public enum ShortID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Never starting with `FZ`, so no request id reads like a freeze id.
    public static func request() -> String {
        while true {
            let id = draw(4) + "-" + draw(2)
            if !id.hasPrefix("FZ") { return id }
        }
    }

    public static func freeze() -> String { "FZ-" + draw(4) }

    static func draw(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// A request id as a person may type it: case and a missing or extra dash forgiven, `O`/`I`/`L`
    /// read as the digits they resemble (`k7qf2m` → `K7QF-2M`).
    public static func normalizeRequest(_ text: String) -> String {
        var characters = lookAlikes(text)
        if characters.count == 6 { characters.insert("-", at: characters.index(characters.startIndex, offsetBy: 4)) }
        return characters
    }

    /// A freeze id as a person may type it (`fz7k2m`, `7K2M` → `FZ-7K2M`).
    public static func normalizeFreeze(_ text: String) -> String {
        var characters = lookAlikes(text)
        if characters.hasPrefix("FZ") { characters.removeFirst(2) }
        return "FZ-" + characters
    }

    private static func lookAlikes(_ text: String) -> String {
        String(text.uppercased().filter { $0 != "-" && $0 != " " }.map { c -> Character in
            switch c {
            case "O": "0"
            case "I", "L": "1"
            default: c
            }
        })
    }
}

/// Wall-clock time for the state store, in milliseconds.
public enum StateClock {
    public static func now() -> Millis {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Millis(spec.tv_sec) * 1000 + Millis(spec.tv_nsec / 1_000_000)
    }
}
