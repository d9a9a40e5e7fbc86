// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "EventGateway",
    products: [
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "GatewayEvent", targets: ["GatewayEvent"]),
        .library(name: "GatewaySocket", targets: ["GatewaySocket"]),
        .library(name: "GatewayTesting", targets: ["GatewayTesting"]),
        .library(name: "GatewayProbe", targets: ["GatewayProbe"]),
        .library(name: "GatewayMiddleware", targets: ["GatewayMiddleware"]),
        // The servers as swift-service-lifecycle Services; the core stays free of it.
        .library(name: "GatewayServiceLifecycle", targets: ["GatewayServiceLifecycle"]),
        // `gateway serve` for a service's own applications: its main.swift is a few lines.
        .library(name: "GatewayCommand", targets: ["GatewayCommand"]),
        .executable(name: "gateway", targets: ["gateway"]),
    ],
    dependencies: [
        // `make docs`: DocC for each library product (a build-time plugin only; nothing links it).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // `--metrics-path`: swift-metrics in Prometheus' text format (the command only; the servers take text).
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibEvent",
            path: "CLibEvent",
            pkgConfig: "libevent_core",
            providers: [.apt(["libevent-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "Gateway"),
        // The server kit: what both servers share and applications never see.
        .target(name: "GatewayHTTP", dependencies: ["Gateway", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "GatewayEvent",
            dependencies: [
                "Gateway", "GatewayHTTP", "CLibEvent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "GatewaySocket",
            dependencies: ["Gateway", "GatewayHTTP", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "GatewayTesting", dependencies: ["Gateway", "GatewayHTTP"]),
        .target(name: "GatewayProbe", dependencies: ["Gateway", "GatewayHTTP"]),
        .target(name: "GatewayMiddleware", dependencies: ["Gateway", "GatewayHTTP", "CZlib"]),
        .target(name: "ExampleApps", dependencies: ["Gateway", "GatewayMiddleware", "GatewayProbe"], path: "Examples/Apps"),
        .target(
            name: "GatewayServiceLifecycle",
            dependencies: ["Gateway", "GatewayHTTP", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .target(
            name: "GatewayCommand",
            dependencies: [
                "Gateway", "GatewayHTTP", "GatewayEvent", "GatewaySocket", "GatewayMiddleware",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // One user of GatewayCommand: the package's demo, probe and example applications by name.
        .executableTarget(name: "gateway", dependencies: ["Gateway", "GatewayCommand", "GatewayProbe", "ExampleApps"]),
        .executableTarget(name: "HelloEvent", dependencies: ["Gateway", "GatewayEvent"], path: "Examples/HelloEvent"),
        .executableTarget(name: "HelloSocket", dependencies: ["Gateway", "GatewaySocket"], path: "Examples/HelloSocket"),
        .executableTarget(name: "StaticServer", dependencies: ["Gateway", "GatewayEvent", "ExampleApps"], path: "Examples/StaticServer"),
        .executableTarget(name: "UploadServer", dependencies: ["Gateway", "GatewayEvent", "ExampleApps"], path: "Examples/UploadServer"),
        .executableTarget(name: "APIServer", dependencies: ["Gateway", "GatewayEvent", "ExampleApps"], path: "Examples/APIServer"),
        .executableTarget(name: "StackServer", dependencies: ["Gateway", "GatewayEvent", "ExampleApps"], path: "Examples/StackServer"),
        // The README's service template ("Your own service"), once per server.
        .executableTarget(name: "ServiceEvent", dependencies: ["Gateway", "GatewayEvent"], path: "Examples/ServiceEvent"),
        .executableTarget(name: "ServiceSocket", dependencies: ["Gateway", "GatewaySocket"], path: "Examples/ServiceSocket"),
        .executableTarget(
            name: "ServiceLifecycleExample",
            dependencies: ["Gateway", "GatewayEvent", "GatewayServiceLifecycle",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Examples/ServiceLifecycleExample"
        ),
        // `make fuzz`: libFuzzer's entry over the request parser. scripts/fuzz.sh builds it with
        // `--sanitize fuzzer --sanitize address`; every other build compiles it into a program that
        // does nothing, so that a change of the parser's API breaks `swift build`, not just the fuzzer.
        .executableTarget(
            name: "FuzzRequestParser",
            dependencies: ["Gateway", "GatewayHTTP"],
            path: "Fuzz",
            exclude: ["corpus", "crashes"],
            sources: ["FuzzRequestParser.swift"]
        ),
        // Tests: one target per module, named after it, plus the conformance suite that runs
        // the same cases against every backend. Their shared helpers (launching `gateway serve`,
        // waiting, counters, sockets to pass) are one library, not a product.
        .target(
            name: "GatewayTestSupport",
            dependencies: ["Gateway", "GatewayEvent", "GatewaySocket", "GatewayTesting"],
            path: "Tests/Support"
        ),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "GatewayTesting", "GatewayProbe", "GatewayTestSupport"]),
        .testTarget(name: "GatewayHTTPTests", dependencies: ["Gateway", "GatewayHTTP", "GatewayTesting", "GatewayTestSupport"]),
        .testTarget(
            name: "GatewayEventTests",
            dependencies: ["Gateway", "GatewayHTTP", "GatewayEvent", "GatewayProbe", "GatewayTesting", "GatewayTestSupport",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "MetricsTestKit", package: "swift-metrics")]
        ),
        .testTarget(name: "GatewaySocketTests", dependencies: ["Gateway", "GatewaySocket", "GatewayTesting", "GatewayTestSupport"]),
        .testTarget(
            name: "GatewayMiddlewareTests",
            dependencies: ["Gateway", "GatewayMiddleware", "GatewayEvent", "GatewaySocket", "GatewayTesting", "GatewayTestSupport"]
        ),
        .testTarget(name: "GatewayProbeTests", dependencies: ["Gateway", "GatewayProbe", "GatewayTesting", "GatewayTestSupport"]),
        .testTarget(name: "GatewayTestingTests", dependencies: ["Gateway", "GatewayTesting", "GatewayTestSupport"]),
        .testTarget(
            name: "GatewayServiceLifecycleTests",
            dependencies: ["Gateway", "GatewayEvent", "GatewaySocket", "GatewayServiceLifecycle", "GatewayTesting", "GatewayTestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // A service of its own made with GatewayCommand, run by GatewayCommandTests.
        .executableTarget(name: "EchoService", dependencies: ["Gateway", "GatewayCommand"], path: "Tests/EchoService"),
        // The `gateway` command and EchoService, run as built programs (their processes, flags, signals).
        .testTarget(
            name: "GatewayCommandTests",
            dependencies: ["gateway", "EchoService", "Gateway", "GatewayHTTP", "GatewayTesting", "GatewayTestSupport"]
        ),
        .testTarget(
            name: "ExampleAppsTests",
            // ServiceEvent: the README's service, its test imports the application (`@testable`).
            dependencies: ["Gateway", "ExampleApps", "GatewayMiddleware", "GatewayTesting", "GatewayTestSupport", "ServiceEvent"]
        ),
        // The repository's scripts that the tests can run quickly (scripts/test-output.py).
        .testTarget(name: "ScriptTests", dependencies: ["GatewayTestSupport"]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Gateway", "GatewayHTTP", "GatewayEvent", "GatewaySocket", "GatewayTesting", "GatewayProbe", "GatewayTestSupport"]
        ),
    ]
)
