import Gateway

/// A request the server refuses, with the status to answer it with.
struct HTTPParseError: RequestError, Equatable, CustomStringConvertible {
    let status: Int
    let reason: String

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }

    var description: String { "\(status) \(ResponseStatus.reasonPhrase(for: status)): \(reason)" }
}
