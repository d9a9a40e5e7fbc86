import Gateway
import GatewayCommand

// `gateway`: the command library serving the package's own applications,
// the built-in ones and the examples, by name.
ServiceCommand(
    name: "gateway", version: GatewayVersion.current,
    abstract: "Serve gateway applications (PEP 3333 in Swift) on libevent.",
    applications: BuiltinApps.all + ExampleAppCatalog.all
).main()
