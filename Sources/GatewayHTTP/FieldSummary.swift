@_spi(GatewayKit) import Gateway

/// What the header fields that steer a request's framing and connection
/// said, gathered field by field as ``RequestParser`` reads them; the
/// framing rules of RFC 9112 §6 are decided once the header is complete.
struct FieldSummary {
    private(set) var hostCount = 0
    private var hostInvalid = false
    private var contentLength: Int?
    private var contentLengthProblem: String?
    private var sawTransferEncoding = false
    /// Transfer codings in order, lower case, parameters dropped.
    private var codings: [String] = []
    private(set) var connectionClose = false
    private(set) var connectionKeepAlive = false
    private(set) var expectsContinue = false

    /// A `Content-Length` field was sent (valid or not).
    var declaresLength: Bool { contentLength != nil || contentLengthProblem != nil }

    /// Notes one header field; a refusal when its value alone is invalid.
    mutating func note(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> RequestRefusal? {
        // Only names of these lengths matter: most fields are passed over at once.
        switch name.count {
        case 4 where HTTPCharacters.equalsIgnoringCase(name, "host"):
            hostCount += 1
            if !RequestSyntax.isHost(value) { hostInvalid = true }
        case 6 where HTTPCharacters.equalsIgnoringCase(name, "expect"):
            if HTTPCharacters.equalsIgnoringCase(value, "100-continue") { expectsContinue = true }
        case 10 where HTTPCharacters.equalsIgnoringCase(name, "connection"):
            Self.forEachElement(of: value) { token in
                if HTTPCharacters.equalsIgnoringCase(token, "close") { connectionClose = true }
                if HTTPCharacters.equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
            }
        case 14 where HTTPCharacters.equalsIgnoringCase(name, "content-length"):
            noteContentLength(value)
        case 17 where HTTPCharacters.equalsIgnoringCase(name, "transfer-encoding"):
            sawTransferEncoding = true
            guard let listed = RequestSyntax.transferCodings(value) else { return .badRequest("invalid Transfer-Encoding") }
            codings += listed
        default:
            break
        }
        return nil
    }

    /// Content-Length is `1*DIGIT`; a list or repeated field must repeat one value (RFC 9110 §8.6).
    private mutating func noteContentLength(_ value: UnsafeRawBufferPointer) {
        var elements = 0
        Self.forEachElement(of: value) { element in
            elements += 1
            guard contentLengthProblem == nil else { return }
            guard element.allSatisfy({ HTTPCharacters.isDigit($0) }) else {
                return contentLengthProblem = "invalid Content-Length"
            }
            let digits = element.drop { $0 == UInt8(ascii: "0") }
            guard digits.count <= 18 else { return contentLengthProblem = "Content-Length too large" }
            let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            if let known = contentLength, known != length { return contentLengthProblem = "differing Content-Length values" }
            contentLength = length
        }
        if elements == 0 { contentLengthProblem = "empty Content-Length" }
    }

    /// Why the request's framing or Host is refused, or nil (RFC 9112 §3.2, §6.1, §6.3).
    func framingProblem(minorVersion: Int) -> RequestRefusal? {
        if hostCount > 1 { return .badRequest("more than one Host") }
        if minorVersion >= 1 && hostCount == 0 { return .badRequest("HTTP/1.1 request without Host") }
        if hostInvalid { return .badRequest("invalid Host") }
        if sawTransferEncoding {
            if contentLength != nil || contentLengthProblem != nil {
                return .badRequest("both Transfer-Encoding and Content-Length")
            }
            if minorVersion == 0 { return .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            guard codings.last == "chunked" else { return .badRequest("Transfer-Encoding does not end in chunked") }
            if codings.dropLast().contains("chunked") { return .badRequest("chunked applied twice") }
            if codings.count > 1 {
                return RequestRefusal(status: 501, reason: "transfer codings other than chunked: \(codings.dropLast().joined(separator: ", "))")
            }
            return nil
        }
        if let contentLengthProblem { return .badRequest(contentLengthProblem) }
        return nil
    }

    var framing: BodyFraming {
        if sawTransferEncoding { return .chunked }
        if let contentLength, contentLength > 0 { return .length(contentLength) }
        return .none
    }

    /// Calls `body` with each element of a comma-separated list, OWS
    /// trimmed, empty ones skipped (RFC 9110 §5.6.1).
    static func forEachElement(of value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            var first = start, last = end
            while first < last && HTTPCharacters.isWhitespace(value[first]) { first += 1 }
            while last > first && HTTPCharacters.isWhitespace(value[last - 1]) { last -= 1 }
            if last > first { body(UnsafeRawBufferPointer(rebasing: value[first..<last])) }
            start = end + 1
        }
    }
}
