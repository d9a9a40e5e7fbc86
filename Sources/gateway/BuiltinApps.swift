import Gateway
import GatewayCommand
import GatewayProbe

/// The package's own applications under `gateway serve --app NAME`: the
/// demo (the default) and the probe the tests drive.
enum BuiltinApps {
    static let all: [ServedApplication] = [
        ServedApplication("demo", demoApp),
        // Counting its calls in a file when PROBE_CALL_LOG names one (tests
        // of forked servers).
        // Its /async/ routes are an async application, the rest a sync one.
        ServedApplication("probe", CallLog.fromEnvironment.map { $0.counting(probe) } ?? probe),
    ]
}
