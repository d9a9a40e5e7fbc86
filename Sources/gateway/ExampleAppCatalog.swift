import ExampleApps
import Gateway
import GatewayCommand

/// The example applications `gateway serve --app NAME` runs (see
/// Examples/): static and stack serve `--root`; stack's admin login comes
/// from STACK_ADMIN.
enum ExampleAppCatalog {
    static let all: [ServedApplication] = [
        ServedApplication("hello", helloApp),
        ServedApplication("count", async: countBytes),
        // static and stack write their own access log (middleware).
        ServedApplication("static", logsRequests: true) { context in
            staticApp(root: context.root, logRequests: context.accessLog)
        },
        ServedApplication("upload") { _ in uploadApp() },
        ServedApplication("api") { _ in itemsAPI() },
        ServedApplication("stack", logsRequests: true) { context in
            stackApp(root: context.root, adminCredentials: context.environment["STACK_ADMIN"], logRequests: context.accessLog)
        },
    ]
}
