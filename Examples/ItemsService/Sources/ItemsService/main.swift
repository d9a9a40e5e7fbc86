import GatewayCommand
import ItemsAPI

// `items-service serve`: every flag, settings file and GATEWAY_* variable
// of `gateway serve`, for this service's one application.
ServiceCommand(name: "items-service", version: "1.0.0", applications: [
    ServedApplication("items") { _ in itemsApp() },
]).main()
