import ArgumentParser
import Foundation
import Gateway

@main
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve gateway applications (PEP 3333 in Swift) on libevent.",
        version: GatewayVersion.current,
        subcommands: [Serve.self, CGI.self])

    /// `serve` reads its settings file and `GATEWAY_*` variables before the command line.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" {
            do {
                arguments = ["serve"] + (try ServeSettings.arguments(
                    for: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\nSee 'gateway help serve'.\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
        }
        main(arguments)
    }
}
