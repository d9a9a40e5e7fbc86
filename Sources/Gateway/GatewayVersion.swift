/// The version of EventGateway: what `gateway --version` prints and the
/// Debian package is named after (`make deb` reads it from the built tool).
///
/// ```swift
/// print(GatewayVersion.current)   // "0.1.0"
/// ```
package enum GatewayVersion {
    /// Semantic version, bumped by hand on release.
    package static let current = "0.1.0"
}
