// swift-tools-version: 6.1
import PackageDescription

// The layering is the architecture: AirlockShell (shell syntax), AirlockSQL (SQL through the
// PostgreSQL parser and conservative lexers for other dialects) and AirlockCore (analysis,
// policy, decisions) are pure; AirlockPolicyFile turns YAML into a Policy;
// AirlockRuntime is the small imperative shell the hook path needs (files, output, the
// compiled-policy cache); AirlockCLI adds every other verb. `airlock` (front door) and
// `airlock-cli` (everything else) are one-line executables.
let package = Package(
    name: "Airlock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "airlock", targets: ["airlock"]),
        .executable(name: "airlock-cli", targets: ["airlock-cli"]),
        .library(name: "AirlockCore", targets: ["AirlockCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // TLS on both sides of the PostgreSQL proxy (BoringSSL inside: no system OpenSSL to swap).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        // Tests only: a real PostgreSQL driver speaking the extended protocol through the proxy.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.25.0"),
    ],
    targets: [
        .target(name: "AirlockShell"),
        // The PostgreSQL parser (libpg_query), linked statically: a hook must not depend on a
        // shared library an attacker could swap.
        .systemLibrary(name: "CPgQuery", providers: [.apt(["libpg-query-dev"])]),
        .target(
            name: "AirlockSQL",
            dependencies: ["CPgQuery"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libpg_query.a"])]
        ),
        .target(name: "AirlockCore", dependencies: ["AirlockShell", "AirlockSQL"]),
        // The tamper-evident log: records, storage, RFC 6962 Merkle proofs, C2SP checkpoints.
        // No Foundation: the front door appends to it on every check.
        .target(name: "AirlockAudit"),
        // Approvals, freezes and counters behind one Store protocol; embedded on SQLite
        // (linked static, no Foundation: the front door consults it on every check).
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "AirlockState",
            dependencies: ["AirlockCore", "CSQLite"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libsqlite3.a"]), .linkedLibrary("m")]
        ),
        // The one pipeline every door calls: freeze, policy, limits and breaker, approvals, audit.
        .target(name: "AirlockGate", dependencies: ["AirlockCore", "AirlockAudit", "AirlockState"]),
        // Agent hosts' hook contracts (Claude Code, Cursor, Codex, Gemini CLI): input, answer,
        // the fail-closed runner. Foundation-free: it is the hook path.
        .target(name: "AirlockHooks", dependencies: ["AirlockCore", "AirlockGate", "AirlockRuntime"]),
        // PostgreSQL's wire protocol as values: message framing, the messages the gate reads and
        // writes, SCRAM-SHA-256 and MD5 authentication. Pure apart from ByteBuffer.
        .target(
            name: "AirlockPostgresWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The PostgreSQL door: a wire proxy on SwiftNIO that puts every statement through the
        // gate, with agent identities and the upstreams' credentials Airlock alone holds.
        .target(
            name: "AirlockPostgresProxy",
            dependencies: [
                "AirlockPostgresWire", "AirlockCore", "AirlockSQL", "AirlockGate", "AirlockAudit", "AirlockState", "AirlockRuntime", "AirlockJournal",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"), "Yams",
            ]
        ),
        // The undo journal: pre-images and table snapshots as gzip'd COPY text under
        // $AIRLOCK_HOME/journal, outside the database and out of the agent's reach.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "AirlockJournal", dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AirlockPolicyFile", dependencies: ["AirlockCore", "AirlockSQL", "Yams"]),
        // The hook path: no Foundation, no YAML parser. Answers check/explain from the built-in
        // policy or a compiled one, and hands everything else to airlock-cli.
        .target(name: "AirlockRuntime", dependencies: ["AirlockCore", "AirlockSQL", "AirlockAudit", "AirlockState", "AirlockGate"]),
        .target(
            name: "AirlockCLI",
            dependencies: [
                "AirlockCore", "AirlockSQL", "AirlockAudit", "AirlockPolicyFile", "AirlockRuntime", "AirlockState", "AirlockGate", "AirlockHooks",
                "AirlockPostgresProxy", "AirlockPostgresWire", "AirlockJournal",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Ed25519 for signing checkpoints: only airlock-cli signs, so the front door
                // stays free of Foundation.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "airlock", dependencies: ["AirlockRuntime", "AirlockHooks"], linkerSettings: frontDoorLinking),
        .executableTarget(name: "airlock-cli", dependencies: ["AirlockCLI"]),
        .executableTarget(name: "airlock-bench", dependencies: ["AirlockCore", "AirlockShell", "AirlockSQL", "CPgQuery", "AirlockAudit", "AirlockState", "AirlockGate"]),
        .testTarget(name: "AirlockShellTests", dependencies: ["AirlockShell"]),
        .testTarget(name: "AirlockAuditTests", dependencies: ["AirlockAudit"]),
        .testTarget(name: "AirlockSQLTests", dependencies: ["AirlockSQL"], resources: [.copy("Corpus")]),
        .testTarget(name: "AirlockCoreTests", dependencies: ["AirlockCore", "AirlockPolicyFile"], resources: [.copy("Corpus")]),
        .testTarget(name: "AirlockPolicyFileTests", dependencies: ["AirlockPolicyFile"]),
        .testTarget(name: "AirlockHooksTests", dependencies: ["AirlockHooks", "AirlockCore", "AirlockGate"]),
        .testTarget(name: "AirlockGateTests", dependencies: ["AirlockGate", "AirlockState", "AirlockCore", "AirlockAudit"]),
        .testTarget(name: "AirlockRuntimeTests", dependencies: ["AirlockRuntime", "AirlockPolicyFile"]),
        .testTarget(
            name: "AirlockCLITests",
            dependencies: ["AirlockCLI", "AirlockAudit", "AirlockHooks", "AirlockPostgresWire", "AirlockPostgresProxy", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "AirlockPostgresWireTests", dependencies: ["AirlockPostgresWire"]),
        .testTarget(name: "AirlockJournalTests", dependencies: ["AirlockJournal"]),
        .testTarget(
            name: "AirlockPostgresProxyTests",
            dependencies: [
                "AirlockPostgresProxy", "AirlockPostgresWire", "AirlockCore", "AirlockGate", "AirlockAudit", "AirlockState", "AirlockPolicyFile",
                "AirlockJournal",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

/// The front door starts once per agent tool call, so its start-up is the product's latency. Linked
/// as a static PIE it loads no shared library and resolves no symbol at start (about 1.5 ms less
/// per call, docs/benchmarks.md) and keeps address-space randomisation. `make release` asks for it
/// with AIRLOCK_STATIC_PIE=1 and `--disable-local-rpath`: glibc refuses to start a static PIE that
/// carries the `$ORIGIN` run path SwiftPM adds otherwise.
var frontDoorLinking: [LinkerSetting] {
    guard Context.environment["AIRLOCK_STATIC_PIE"] == "1" else { return [] }
    return [.unsafeFlags(["-static-executable", "-use-ld=lld", "-Xclang-linker", "-static-pie", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux], configuration: .release))]
}
