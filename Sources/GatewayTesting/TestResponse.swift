import Foundation

/// A response as a test client read it off the wire.
public struct TestResponse: Sendable {
    /// "HTTP/1.1"
    public var version: String
    /// The status code, e.g. 200.
    public var status: Int
    /// The reason phrase as sent, e.g. "OK".
    public var reason: String
    /// Headers in order, repeats kept, names as sent.
    public var headers: [(String, String)]
    /// The body, de-chunked when it was chunked on the wire.
    public var body: [UInt8]
    /// True when the body was chunked on the wire.
    public var wasChunked: Bool
    /// The sizes of the chunks, when chunked.
    public var chunkSizes: [Int]
    /// The redirects ``TestClient`` followed to get here, first first.
    public var history: [TestResponse] = []

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Every value of a header, in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as JSON (`[String: Any]`, `[Any]`, `String`, `NSNumber`...).
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }

    /// The body decoded as JSON into `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }
}

/// What went wrong reading a response.
public enum TestClientError: Error, Equatable, CustomStringConvertible {
    /// The connection could not be made; `connect(2)`'s `errno` (`ECONNREFUSED`: nothing listens).
    case connect(errno: Int32)
    /// Nothing arrived within the client's timeout.
    case timedOut
    /// The server closed the connection before a whole response arrived.
    case closed
    /// What arrived is not an HTTP response; the text says what was wrong.
    case malformed(String)

    /// The error in words, for a test's failure message.
    public var description: String {
        switch self {
        case .connect(let code): return "connect failed (errno \(code))"
        case .timedOut: return "timed out waiting for the server"
        case .closed: return "the server closed the connection"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }
}
