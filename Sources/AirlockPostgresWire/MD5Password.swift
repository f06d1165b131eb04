import Crypto

/// PostgreSQL's MD5 password authentication (AuthenticationMD5Password), for upstream servers
/// still configured with `md5` in pg_hba.conf.
///
/// MD5 is broken as a hash and the scheme lets anyone who reads pg_authid log in; Airlock
/// answers it only because the upstream asks, and only with the password it was given.
public enum PostgresMD5 {
    /// The PasswordMessage answer to AuthenticationMD5Password with `salt` (4 bytes):
    /// `"md5" + md5hex(md5hex(password + user) + salt)`.
    public static func response(user: String, password: String, salt: [UInt8]) -> String {
        let inner = hex(Insecure.MD5.hash(data: Array(password.utf8) + Array(user.utf8)).withUnsafeBytes { Array($0) })
        return "md5" + hex(Insecure.MD5.hash(data: Array(inner.utf8) + salt).withUnsafeBytes { Array($0) })
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
