/// Durations as a policy writes them: a whole number and one unit, `90s`, `15m`, `2h`, `1d`.
public enum PolicyDuration {
    static let units: [(suffix: Character, seconds: Int)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Seconds, or nil when `text` is not a positive duration in that form.
    public static func parse(_ text: String) -> Int? {
        guard let unit = text.last, let multiplier = units.first(where: { $0.suffix == unit })?.seconds else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits), count > 0 else {
            return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : seconds
    }

    /// The shortest exact spelling: 900 → `15m`, 3600 → `1h`, 90 → `90s`.
    public static func format(_ seconds: Int) -> String {
        for (suffix, size) in units where seconds > 0 && seconds % size == 0 {
            return "\(seconds / size)\(suffix)"
        }
        return "\(seconds)s"
    }
}

