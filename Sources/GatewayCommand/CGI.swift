import ArgumentParser
import Foundation
import Gateway

/// `NAME cgi`: runs one of the service's applications once as a CGI program
/// (RFC 3875; wsgiref's `CGIHandler`): the request from the environment and
/// standard input, the response on standard output with a `Status:` line.
/// It takes every application `serve` takes.
///
/// How to run an application under a CGI server: a CGI server starts a
/// program without arguments, so put a two-line script where it looks for
/// programs, executable, and let it name the application:
///
/// ```sh
/// #!/bin/sh
/// exec /usr/bin/gateway cgi --app hello
/// ```
///
/// With Apache: `ScriptAlias /hello /usr/lib/cgi-bin/hello` (the script
/// above, `chmod 755`); with Python's server, the script in `cgi-bin/` and
/// `python3 -m http.server --cgi`. The part of the URL after the script is
/// the application's `PATH_INFO` (`/hello/items/1` gives `/items/1`).
///
/// Each request starts a process: fine for a rarely used tool, not for
/// traffic (that is `serve`). The output has no `Date` or `Server` header
/// of its own: the web server adds those (RFC 3875 §6.3); an application's
/// own headers pass as they are.
struct CGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one of the applications once as a CGI program (environment, stdin, stdout).")

    @Option(help: "The application: \(ServiceCommand.current.applicationNames).")
    var app = ServiceCommand.current.applications[0].name

    @Option(help: "A folder for the application's files (what a static-file app serves).")
    var root = "."

    func validate() throws {
        guard ServiceCommand.current.application(named: app) != nil else {
            throw ValidationError("unknown app '\(app)'; choose one of \(ServiceCommand.current.applicationNames)")
        }
    }

    func run() throws {
        let served = ServiceCommand.current.application(named: app)!
        // The web server in front writes the access log.
        let context = ServeContext(root: root, accessLog: false, environment: ProcessInfo.processInfo.environment)
        CGIHandler().run(try served.make(context) as AnyApplication)
    }
}
