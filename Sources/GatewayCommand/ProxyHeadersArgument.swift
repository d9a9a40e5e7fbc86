import ArgumentParser
import GatewayMiddleware

extension ProxyHeaders.Style: ExpressibleByArgument {}
