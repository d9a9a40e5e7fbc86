import ArgumentParser
import Gateway

/// Runs a built-in application once as a CGI program (wsgiref's CGIHandler).
struct CGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a built-in application once as a CGI program (environment, stdin, stdout).")

    @Option(help: "The application: \(BuiltinApps.names.joined(separator: ", ")).")
    var app = "demo"

    func validate() throws {
        guard BuiltinApps.named(app) != nil else {
            throw ValidationError("unknown app '\(app)'; choose one of \(BuiltinApps.names.joined(separator: ", "))")
        }
    }

    func run() throws {
        CGIHandler().run(BuiltinApps.named(app)!)
    }
}
