// swift-tools-version:6.0
import PackageDescription

// A service of its own on EventGateway: a JSON items API (ItemsAPI), its
// command (items-service, from GatewayCommand) and tests with TestClient.
let package = Package(
    name: "ItemsService",
    products: [
        // The program, named as its users type it (and as its .deb installs it).
        .executable(name: "items-service", targets: ["ItemsService"]),
    ],
    dependencies: [
        // EventGateway by path. `name:` because SwiftPM otherwise names a
        // path dependency after its folder (whatever the clone is called),
        // and `package:` below must match it.
        .package(name: "EventGateway", path: "../.."),
    ],
    targets: [
        .target(
            name: "ItemsAPI",
            dependencies: [.product(name: "Gateway", package: "EventGateway"), .product(name: "GatewayMiddleware", package: "EventGateway")]
        ),
        .executableTarget(
            name: "ItemsService",
            dependencies: ["ItemsAPI", .product(name: "GatewayCommand", package: "EventGateway")]
        ),
        .testTarget(
            name: "ItemsAPITests",
            dependencies: ["ItemsAPI", .product(name: "GatewayTesting", package: "EventGateway")]
        ),
    ]
)
