import Gateway
import GatewayHTTP
import Logging

/// What every reactor of a server shares.
struct ServingSettings: Sendable {
    let configuration: EventServerConfiguration
    let app: AnyApplication
    let environBuilder: EnvironBuilder
    let pool: WorkerPool?
    /// Memory for request bodies, shared by every reactor of the process.
    let bodyBudget: BodyBudget
    /// Disk for spooled bodies, likewise.
    let spoolBudget: BodyBudget
    /// Connections each loop may hold (``ConnectionCap``, shared out).
    let connectionsPerReactor: Int
    let counters: ServerCounters
    let accessLog: ServerAccessLog?
    var logger: Logger { configuration.logger }
}
