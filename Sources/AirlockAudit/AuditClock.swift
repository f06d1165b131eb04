#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as the log writes it: RFC 3339 in UTC with milliseconds, without Foundation.
public enum AuditClock {
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int64(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// `2026-11-21T07:50:01.123Z`.
    public static func format(seconds: Int64, milliseconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        // Every record is stamped: its 24 bytes are written in place rather than assembled from
        // a dozen small strings. Years outside four digits take the general path.
        guard (0...9999).contains(year), (0...999).contains(milliseconds) else {
            return formatAnyYear(year: year, month: month, day: day, secondOfDay: secondOfDay, milliseconds: milliseconds)
        }
        return String(unsafeUninitializedCapacity: 24) { text in
            func digits(_ value: Int64, _ width: Int, at start: Int) {
                var rest = value
                for position in (start..<start + width).reversed() {
                    text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            digits(year, 4, at: 0)
            text[4] = UInt8(ascii: "-")
            digits(month, 2, at: 5)
            text[7] = UInt8(ascii: "-")
            digits(day, 2, at: 8)
            text[10] = UInt8(ascii: "T")
            digits(secondOfDay / 3600, 2, at: 11)
            text[13] = UInt8(ascii: ":")
            digits(secondOfDay % 3600 / 60, 2, at: 14)
            text[16] = UInt8(ascii: ":")
            digits(secondOfDay % 60, 2, at: 17)
            text[19] = UInt8(ascii: ".")
            digits(Int64(milliseconds), 3, at: 20)
            text[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    static func formatAnyYear(year: Int64, month: Int64, day: Int64, secondOfDay: Int64, milliseconds: Int) -> String {
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int64(milliseconds), 3))Z"
    }

    /// Seconds since the epoch for an RFC 3339 UTC time as written by `format` (or without
    /// milliseconds, or a bare date); nil otherwise.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            return Int64(String(decoding: bytes[range], as: UTF8.self))
        }
        guard bytes.count >= 10, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        if bytes.count >= 19 {
            guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
            seconds += hour * 3600 + minute * 60 + second
        }
        return seconds
    }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let shifted = z + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// This machine's name and the OS user, for records.
public enum AuditHost {
    public static let name: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    public static let user: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return String(geteuid())
    }()
}

/// Lower-case hexadecimal.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var i = 0
        while i < bytes.count {
            guard let high = value(bytes[i]), let low = value(bytes[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
