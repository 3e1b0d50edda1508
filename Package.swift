// swift-tools-version:6.0
import PackageDescription

// The EVM's hot paths mutate class-held state (the journal and caches of WorldState, Memory, the state tables) on
// every instruction; dynamic exclusivity checks (swift_beginAccess: a thread-local access set) cost 8-9% of an
// ERC-20 transfer under callgrind. Release builds of these targets drop them; debug builds and tests keep them.
let uncheckedExclusivity: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Targets depend downward only (README, "Module graph"):
// lockstep -> Harness -> Workloads -> Vectors -> VectorIO, Execution -> EVMInterpreter -> Precompiles, EVMState
//   -> MerkleTrie, RLP, Keccak -> EVMPrimitives; Harness -> Reports (the report model, writers and gate) -> Execution
let package = Package(
    name: "Lockstep",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lockstep", targets: ["lockstep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
    ],
    targets: [
        // System libraries from Debian: libzstd-dev, libsecp256k1-dev.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),

        .target(name: "EVMPrimitives"),
        .target(name: "Keccak", dependencies: ["EVMPrimitives"]),
        .target(name: "RLP", dependencies: ["EVMPrimitives"]),
        .target(name: "MerkleTrie", dependencies: ["EVMPrimitives", "Keccak", "RLP"]),
        .target(name: "EVMState", dependencies: ["EVMPrimitives", "Keccak", "RLP", "MerkleTrie"],
                swiftSettings: uncheckedExclusivity),
        .target(name: "BN254"),
        // Pairing arithmetic is ~1000x slower unoptimized; -O keeps debug test runs (KZG precompile calls) usable.
        .target(name: "BLS12381", swiftSettings: [.unsafeFlags(["-O"])]),
        // BLAKE2b F in AVX2 and AVX-512 (x86-64); -O2 in debug builds too, where -O0 makes it 60x slower.
        .target(name: "CBlake2F", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Precompiles", dependencies: [
            "EVMPrimitives", "Keccak", "BN254", "BLS12381", "CSecp256k1", "CBlake2F",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "EVMInterpreter", dependencies: ["EVMPrimitives", "Keccak", "RLP", "EVMState", "Precompiles"],
                swiftSettings: uncheckedExclusivity),
        .target(name: "Execution", dependencies: ["EVMPrimitives", "Keccak", "RLP", "MerkleTrie", "EVMState", "EVMInterpreter", "Precompiles", "CSecp256k1"],
                swiftSettings: uncheckedExclusivity),
        .target(name: "VectorIO", dependencies: ["CZstd"]),
        .target(name: "Vectors", dependencies: ["EVMPrimitives", "EVMState", "EVMInterpreter", "Execution", "VectorIO", "Keccak", "RLP", "MerkleTrie"]),
        .target(name: "Workloads", dependencies: ["EVMPrimitives", "EVMState", "Execution", "Vectors", "Keccak", "RLP", "CSecp256k1"]),
        .target(name: "Reports", dependencies: ["EVMPrimitives", "Execution"]),
        .target(name: "Harness", dependencies: ["EVMPrimitives", "EVMState", "EVMInterpreter", "Execution", "Keccak", "RLP", "VectorIO",
                                                "Vectors", "Workloads", "Reports"]),
        .executableTarget(name: "lockstep", dependencies: [
            "EVMPrimitives", "EVMState", "Vectors", "VectorIO", "Execution", "Workloads", "Reports", "Harness", "Precompiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // mimalloc (Debian's libmimalloc-dev) replaces glibc's malloc for the whole process: linked before libc, its
            // malloc and free are the ones every library binds to. See README, "The allocator".
            .linkedLibrary("mimalloc", .when(platforms: [.linux])),
        ]),

        // Helpers more than one test target uses (not a test target itself: test targets cannot depend on each other).
        .target(name: "TestSupport", dependencies: ["EVMPrimitives", "EVMState", "Execution"], path: "Tests/TestSupport"),
        .testTarget(name: "EVMPrimitivesTests", dependencies: ["EVMPrimitives", .product(name: "BigInt", package: "BigInt")]),
        .testTarget(name: "EncodingTests", dependencies: ["EVMPrimitives", "Keccak", "RLP", "MerkleTrie", "VectorIO"]),
        .testTarget(name: "BN254Tests", dependencies: ["BN254"]),
        .testTarget(name: "BLS12381Tests", dependencies: ["BLS12381"]),
        .testTarget(name: "PrecompilesTests", dependencies: ["Precompiles", "EVMPrimitives"]),
        .testTarget(name: "InterpreterTests", dependencies: ["EVMInterpreter", "EVMState", "Execution", "EVMPrimitives"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Vectors", "Harness", "Execution", "EVMPrimitives"]),
        .testTarget(name: "ParallelTests", dependencies: ["Execution", "Workloads", "EVMState", "EVMPrimitives", "EVMInterpreter", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Harness", "Workloads", "Vectors", "Execution", "EVMState", "EVMPrimitives",
                                                "TestSupport"]),
        .testTarget(name: "BlockTests", dependencies: ["Vectors", "Harness", "Workloads", "Execution", "EVMPrimitives", "EVMState", "VectorIO", "TestSupport"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Vectors", "Workloads", "Harness", "Execution", "EVMPrimitives", "EVMState",
                                                   "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (issue 12), built only by ci/fuzz.sh, which sets LOCKSTEP_FUZZ=1 and builds with
// `-sanitize=fuzzer,address` in its own scratch folder: each is an executable whose main hands libFuzzer's driver
// one function. Without the variable the package has no such targets, so a plain `swift build` is unaffected.
if Context.environment["LOCKSTEP_FUZZ"] == "1" {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"))
    let fuzzers: [(String, [Target.Dependency])] = [
        ("FuzzRLP", ["RLP"]),
        ("FuzzTransaction", ["Execution"]),
        ("FuzzStateTest", ["Vectors", "VectorIO"]),
        ("FuzzBlockVector", ["Vectors"]),
        ("FuzzBlockchainTest", ["Vectors"]),
        ("FuzzZstd", ["VectorIO"]),
    ]
    for (name, dependencies) in fuzzers {
        package.targets.append(.executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies,
                                                 path: "Fuzz/" + name))
    }
}
