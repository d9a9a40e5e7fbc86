// swift-tools-version:6.0
import PackageDescription

// A service of its own on EventGateway with a real database: a JSON todo API
// served as an async application (TodoAPI), PostgreSQL through PostgresNIO,
// its command (todo-service, from GatewayCommand) and tests against a real
// PostgreSQL server (check.sh starts one). The database dependency lives
// here, not in EventGateway.
let package = Package(
    name: "TodoService",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "todo-service", targets: ["TodoService"]),
    ],
    dependencies: [
        // EventGateway by path; `name:` because SwiftPM otherwise names a path
        // dependency after its folder, and `package:` below must match it.
        .package(name: "EventGateway", path: "../.."),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "TodoAPI",
            dependencies: [
                .product(name: "Gateway", package: "EventGateway"),
                .product(name: "GatewayMiddleware", package: "EventGateway"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .executableTarget(
            name: "TodoService",
            dependencies: [
                "TodoAPI",
                .product(name: "Gateway", package: "EventGateway"),
                .product(name: "GatewayCommand", package: "EventGateway"),
            ]
        ),
        .testTarget(
            name: "TodoAPITests",
            dependencies: [
                "TodoAPI",
                .product(name: "GatewayTesting", package: "EventGateway"),
                .product(name: "GatewayEvent", package: "EventGateway"),
            ]
        ),
    ]
)
