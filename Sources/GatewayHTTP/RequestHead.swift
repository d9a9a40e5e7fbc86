@_spi(GatewayKit) import Gateway

/// How a request's body is delimited (RFC 9112 §6.3).
package enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A request line and its header fields as ``RequestParser`` accepted them:
/// every value checked, OWS trimmed, framing decided.
package struct RequestHead: Sendable {
    package var method: String
    /// The request target as sent (origin, absolute, authority or asterisk form).
    package var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// The header fields as environ entries, in the order first seen: keys
    /// from `cgiVariableName(forField:)` (`HTTP_HOST`, `CONTENT_TYPE`, ...;
    /// names holding `_` left out), values without surrounding whitespace,
    /// a repeated field's values joined with ", " (RFC 9110 §5.3; "," alone
    /// before an empty one, see ``append(_:to:)``).
    package private(set) var fields: [EnvironVariables.Entry] = []
    /// A 64-bit filter over the names seen: a repeated field is found
    /// without comparing every key of every request.
    private var fieldFilter: UInt64 = 0
    package var framing: BodyFraming = .none
    /// The connection may carry another request after this one
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `keep-alive`).
    package var keepAlive = false
    /// `Expect: 100-continue` on HTTP/1.1: the client waits before sending the body.
    package var expectsContinue = false

    package init(method: String, target: String, minorVersion: Int) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        // Room for a browser's headers and the CGI variables the environ
        // adds to this same array (``takeCGIVariables(server:peer:)``);
        // 24 entries keep the block within glibc's per-thread cache (1 KiB).
        fields.reserveCapacity(24)
    }

    /// `SERVER_PROTOCOL`: "HTTP/1.0" or "HTTP/1.1".
    package var protocolName: String { minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1" }

    package var isHead: Bool { method == "HEAD" }

    /// The value of the field whose environ key is `key` (`HTTP_HOST`).
    package func field(_ key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// Adds a field line's value (checked and trimmed by the parser).
    package mutating func addField(name: UnsafeRawBufferPointer, value: String) {
        guard let key = cgiVariableName(forField: name) else { return }
        let mix = name.count &* 7 &+ Int(HTTPCharacters.lowercased(name[0])) &+ Int(HTTPCharacters.lowercased(name[name.count - 1])) &* 3
        let bit: UInt64 = 1 << UInt64(mix & 63)
        if fieldFilter & bit != 0, let index = fields.firstIndex(where: { $0.key == key }) {
            Self.append(value, to: &fields[index].value)
            return
        }
        fieldFilter |= bit
        fields.append(EnvironVariables.Entry(key, value))
    }

    /// Sets a field's value, adding the field when it is missing: the
    /// authority of an absolute-form target as `HTTP_HOST`, the parser's
    /// decided `Content-Length` in place of the one sent (`005`, `5, 5`).
    package mutating func setField(_ key: String, to value: String) {
        if let index = fields.firstIndex(where: { $0.key == key }) { fields[index].value = value } else { fields.append(EnvironVariables.Entry(key, value)) }
    }

    /// Joins a repeated field's next value to the values before it: after
    /// ", ", or after "," alone when it is empty, so that the joined value
    /// does not end in whitespace either (`a` and an empty line: `a,`).
    package static func append(_ value: String, to joined: inout String) {
        joined += value.isEmpty ? "," : ", " + value
    }

    /// The environ's `HTTP_*` entries and CGI variables for this request,
    /// in the array the parser filled (no second array a request); the head
    /// keeps no fields after.
    package mutating func takeCGIVariables(server: (name: String, port: String), peer: (host: String, port: Int)) -> EnvironVariables {
        var taken: [EnvironVariables.Entry] = []
        swap(&taken, &fields)
        var variables = EnvironVariables(adopting: consume taken)
        CGIVariables.add(method: method, target: target, protocolName: protocolName, server: server, peer: peer, to: &variables)
        return variables
    }
}
