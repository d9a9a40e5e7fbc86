import ArgumentParser

/// The top of the command tree: `NAME serve`, `NAME cgi`, `NAME --version`,
/// named and described after the ``ServiceCommand`` being run.
struct ServiceRoot: ParsableCommand {
    static var configuration: CommandConfiguration {
        let service = ServiceCommand.current
        return CommandConfiguration(
            commandName: service.name, abstract: service.abstract, version: service.version,
            subcommands: [Serve.self, CGI.self])
    }
}
