// swift-tools-version: 6.1
import PackageDescription

// The layering is the architecture: AirlockShell (syntax) and AirlockCore (analysis, policy,
// decisions) are pure and have no dependencies; AirlockPolicyFile turns YAML into a Policy;
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
    ],
    targets: [
        .target(name: "AirlockShell"),
        .target(name: "AirlockCore", dependencies: ["AirlockShell"]),
        .target(name: "AirlockPolicyFile", dependencies: ["AirlockCore", "Yams"]),
        // The hook path: no Foundation, no YAML parser. Answers check/explain from the built-in
        // policy or a compiled one, and hands everything else to airlock-cli.
        .target(name: "AirlockRuntime", dependencies: ["AirlockCore"]),
        .target(
            name: "AirlockCLI",
            dependencies: [
                "AirlockCore", "AirlockPolicyFile", "AirlockRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "airlock", dependencies: ["AirlockRuntime"]),
        .executableTarget(name: "airlock-cli", dependencies: ["AirlockCLI"]),
        .executableTarget(name: "airlock-bench", dependencies: ["AirlockCore", "AirlockShell"]),
        .testTarget(name: "AirlockShellTests", dependencies: ["AirlockShell"]),
        .testTarget(name: "AirlockCoreTests", dependencies: ["AirlockCore", "AirlockPolicyFile"], resources: [.copy("Corpus")]),
        .testTarget(name: "AirlockPolicyFileTests", dependencies: ["AirlockPolicyFile"]),
        .testTarget(name: "AirlockRuntimeTests", dependencies: ["AirlockRuntime", "AirlockPolicyFile"]),
        .testTarget(name: "AirlockCLITests", dependencies: ["AirlockCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
