import ArgumentParser
import Foundation
import Gateway

/// A service's own command line: `NAME serve` and `NAME cgi` for its
/// applications, with everything `gateway serve` has: every flag,
/// `--config FILE`, `GATEWAY_*` variables, both backends, prefork with
/// SIGHUP renewal, systemd socket activation and `sd_notify`, proxy trust,
/// the access log; `NAME --version` prints the service's version.
///
/// A service's `main.swift`:
///
/// ```swift
/// import GatewayCommand
///
/// ServiceCommand(name: "items", version: "1.0.0", applications: [
///     ServedApplication("items", itemsApp),
/// ]).main()
/// ```
///
/// Then `items serve --port 8080 --threads 4`, or under systemd
/// `items serve --config /etc/items/items.conf`; `items help serve` lists
/// the flags.
public struct ServiceCommand: Sendable {
    /// The command's name, as users type it: usage lines, `NAME help serve`.
    public var name: String
    /// What `NAME --version` prints.
    public var version: String
    /// One line about the service, at the top of `NAME --help`.
    public var abstract: String
    /// The applications `--app NAME` chooses from; the first is the default.
    public var applications: [ServedApplication]

    /// A command for `applications` (at least one; the first is served
    /// when `--app` is not given).
    public init(name: String, version: String, abstract: String? = nil, applications: [ServedApplication]) {
        precondition(!applications.isEmpty, "a ServiceCommand needs at least one application")
        self.name = name
        self.version = version
        self.abstract = abstract ?? "Serve \(name) over HTTP."
        self.applications = applications
    }

    /// Parses `arguments` (by default the process's own, without the
    /// program's name), runs the command and returns when it is done; on a
    /// bad argument or a failure it prints the error and exits non-zero.
    public func main(arguments: [String]? = nil) {
        ServiceCommand.installed.withLock { $0 = self }
        var arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" {
            do {
                let settings = try ServeSettings.arguments(for: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
                for warning in settings.warnings { FileHandle.standardError.write(Data("Warning: \(warning)\n".utf8)) }
                arguments = ["serve"] + settings.arguments
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\nSee '\(name) help serve'.\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
        }
        ServiceRoot.main(arguments)
    }

    /// The application named `name`, if the service has one.
    func application(named name: String) -> ServedApplication? {
        applications.first { $0.name == name }
    }

    /// The names, for help texts and errors: "demo, probe, hello".
    var applicationNames: String { applications.map(\.name).joined(separator: ", ") }

    /// The command being run: ArgumentParser makes the subcommands itself
    /// (their help texts and defaults are read from here).
    static var current: ServiceCommand {
        installed.withLock { $0 } ?? ServiceCommand(name: "service", version: "0", applications: [ServedApplication("demo", demoApp)])
    }

    private static let installed = Locked<ServiceCommand?>(nil)
}
