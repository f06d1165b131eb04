import Foundation

/// Certificates for TLS tests, made once per test process with the `openssl` CLI (`make deps`
/// installs it) in a temporary directory removed at exit:
///
/// - `ca.pem`: a test CA; `server.pem`/`server.key`: a leaf it signed for `localhost` and
///   `127.0.0.1` (what both the proxy and the test servers present);
/// - `other-name.pem`/`other-name.key`: a leaf the same CA signed for `db.example` only (passes
///   verify-ca, fails verify-full at 127.0.0.1);
/// - `wrong-ca.pem`: an unrelated CA that signed none of them; `unrelated.key`: a key that
///   belongs to no certificate here; `encrypted.key`: `server.key` under a passphrase.
///
/// EC P-256 keys: generated in milliseconds, understood by OpenSSL (PostgreSQL, libpq) and
/// BoringSSL (NIOSSL) alike.
struct TestCertificates: Sendable {
    let directory: String
    var ca: String { directory + "/ca.pem" }
    var wrongCA: String { directory + "/wrong-ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var otherNameCertificate: String { directory + "/other-name.pem" }
    var otherNameKey: String { directory + "/other-name.key" }
    var unrelatedKey: String { directory + "/unrelated.key" }
    /// `server.key` encrypted with a passphrase (the proxy cannot use it).
    var encryptedKey: String { directory + "/encrypted.key" }

    private static let made: Result<TestCertificates, PostgresServerError> = Result { try make() }.mapError {
        $0 as? PostgresServerError ?? PostgresServerError("\($0)")
    }

    static func shared() throws -> TestCertificates { try made.get() }

    private static let path = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-tls-\(getpid())").path

    private static func make() throws -> TestCertificates {
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw PostgresServerError("openssl not found: the TLS tests make their certificates with it. Run `make deps` (it installs openssl).")
        }
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        atexit { try? FileManager.default.removeItem(atPath: TestCertificates.path) }
        func run(_ arguments: [String]) throws {
            try ProcessRunner.run(openssl, arguments, environment: ["PATH": "/usr/bin:/bin"], currentDirectory: path, timeout: .seconds(60)).check()
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "wrong-ca"] {
            try run(["req", "-x509"] + key + [
                "-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "3", "-subj", "/CN=Airlock test \(ca)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        }
        for (leaf, names) in [("server", "DNS:localhost,IP:127.0.0.1"), ("other-name", "DNS:db.example")] {
            try run(["req"] + key + ["-keyout", "\(leaf).key", "-out", "\(leaf).csr", "-subj", "/CN=\(leaf)"])
            let extensions = "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
            try extensions.write(toFile: path + "/\(leaf).ext", atomically: true, encoding: .utf8)
            try run([
                "x509", "-req", "-in", "\(leaf).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(leaf).pem", "-days", "3",
                "-extfile", "\(leaf).ext",
            ])
        }
        try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "unrelated.key"])
        try run(["pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"])
        return TestCertificates(directory: path)
    }
}
