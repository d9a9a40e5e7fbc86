import Gateway
import GatewayProbe

/// The applications `gateway serve --app NAME` can run.
enum BuiltinApps {
    static let all: [(name: String, app: Application)] = [
        ("demo", demoApp),
        // Counting its calls in a file when PROBE_CALL_LOG names one (tests
        // of forked servers).
        ("probe", CallLog.fromEnvironment.map { $0.counting(probeApp) } ?? probeApp),
    ]

    static var names: [String] { all.map(\.name) }

    static func named(_ name: String) -> Application? {
        all.first { $0.name == name }?.app
    }
}
