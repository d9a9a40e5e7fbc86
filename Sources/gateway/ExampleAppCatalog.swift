import ExampleApps
import Foundation
import Gateway

/// The five example applications `gateway serve --app NAME` runs (see
/// Examples/): they take `--root` and, some, the environment.
enum ExampleAppCatalog {
    static let names = ["hello", "static", "upload", "api", "stack"]

    /// The application named `name`, or nil when it is not an example;
    /// `accessLog` false (`--no-access-log`) leaves out their own log.
    static func make(_ name: String, root: String, accessLog: Bool) -> Application? {
        switch name {
        case "hello": helloApp
        case "static": staticApp(root: root, logRequests: accessLog)
        case "upload": uploadApp()
        case "api": itemsAPI()
        case "stack": stackApp(root: root, adminCredentials: ProcessInfo.processInfo.environment["STACK_ADMIN"], logRequests: accessLog)
        default: nil
        }
    }

    /// Examples that write their own access log (middleware): the server's is turned off for them.
    static func logsRequests(_ name: String) -> Bool { name == "static" || name == "stack" }
}
