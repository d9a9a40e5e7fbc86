// swift-tools-version:6.0
// Issue #23's reference: Hummingbird 2 serving a handler that awaits Task.sleep,
// beside the gateway's /async/sleep (bench/async.py, `make bench-async`). Built from
// the machine's local package copies; its own package so the project keeps no
// Hummingbird dependency.
import PackageDescription

let package = Package(
    name: "hb-sleep",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(name: "hb-sleep", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
    ]
)
