// swift-tools-version: 6.1
import PackageDescription

// The layering is the architecture: AirlockShell (syntax) and AirlockCore (analysis, policy,
// decisions) are pure and have no dependencies; AirlockPolicyFile turns YAML into a Policy;
// AirlockCLI is the imperative shell around them; `airlock` is a one-line executable.
let package = Package(
    name: "Airlock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "airlock", targets: ["airlock"]),
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
        .target(
            name: "AirlockCLI",
            dependencies: [
                "AirlockCore", "AirlockPolicyFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "airlock", dependencies: ["AirlockCLI"]),
        .executableTarget(name: "airlock-bench", dependencies: ["AirlockCore", "AirlockShell"]),
        .testTarget(name: "AirlockShellTests", dependencies: ["AirlockShell"]),
        .testTarget(name: "AirlockCoreTests", dependencies: ["AirlockCore", "AirlockPolicyFile"], resources: [.copy("Corpus")]),
        .testTarget(name: "AirlockPolicyFileTests", dependencies: ["AirlockPolicyFile"]),
        .testTarget(name: "AirlockCLITests", dependencies: ["AirlockCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
