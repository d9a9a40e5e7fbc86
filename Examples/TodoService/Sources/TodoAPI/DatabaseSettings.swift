import PostgresNIO

/// Where the database is, from libpq's variables (`psql` reads the same):
///
/// | variable | default |
/// | --- | --- |
/// | `PGHOST` | `127.0.0.1`; a path (`/var/run/postgresql`) is the folder of a unix socket |
/// | `PGPORT` | `5432` |
/// | `PGUSER` | `postgres` |
/// | `PGPASSWORD` | none |
/// | `PGDATABASE` | the user's name |
/// | `PGSSLMODE` | `prefer` over TCP (TLS if the server offers it); `disable` or `require` |
public struct DatabaseSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(host: String = "127.0.0.1", port: Int = 5432, user: String = "postgres", password: String? = nil,
                database: String? = nil, sslMode: String = "prefer") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database ?? user
        self.sslMode = sslMode
    }

    /// The settings from `PG*` variables; an error names a variable whose value is not usable.
    public init(environment: [String: String]) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var port = 5432
        if let text = value("PGPORT") {
            guard let number = Int(text), (1...65535).contains(number) else {
                throw DatabaseSettingsError(message: "PGPORT must be a port number, not '\(text)'")
            }
            port = number
        }
        let sslMode = value("PGSSLMODE") ?? "prefer"
        guard ["disable", "allow", "prefer", "require"].contains(sslMode) else {
            throw DatabaseSettingsError(message: "PGSSLMODE must be disable, prefer or require, not '\(sslMode)'")
        }
        self.init(host: value("PGHOST") ?? "127.0.0.1", port: port, user: value("PGUSER") ?? "postgres",
                  password: environment["PGPASSWORD"], database: value("PGDATABASE"), sslMode: sslMode)
    }

    /// The same server and user, another database (the tests make their own).
    public func with(database: String) -> DatabaseSettings {
        var settings = self
        settings.database = database
        return settings
    }

    /// The client's configuration: a unix socket when `host` is a path.
    public var configuration: PostgresClient.Configuration {
        if host.hasPrefix("/") {
            return .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The same, for one connection of its own (the schema's, at start).
    public func connectionConfiguration(connectTimeout: Duration) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if host.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS = switch sslMode {
            case "disable": .disable
            case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                                                             + connectTimeout.components.attoseconds / 1_000_000_000)
        return configuration
    }

    /// `user@host:port/database`, for messages (no password).
    public var description: String {
        host.hasPrefix("/") ? "\(user)@\(host)/.s.PGSQL.\(port) database \(database)" : "\(user)@\(host):\(port)/\(database)"
    }
}

public struct DatabaseSettingsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
