@testable import GatewayHTTP

/// What a parse of a whole stream amounts to, for comparing deliveries.
enum Outcome: Equatable, CustomStringConvertible {
    case request(method: String, target: String, headers: [String], body: [UInt8])
    case refused(Int)

    var description: String {
        switch self {
        case let .request(method, target, headers, body): "\(method) \(target) \(headers) body \(body.count)"
        case let .refused(status): "refused \(status)"
        }
    }
}

/// Feeds `bytes` to a fresh parser `step` bytes at a time; returns each
/// request (head and de-chunked body) or the refusal that ended the stream.
func outcomes(of bytes: [UInt8], step: Int = .max, limits: RequestParser.Limits = .init(),
              check: (RequestHead) -> Void = { _ in }) -> [Outcome] {
    var parser = RequestParser(limits: limits)
    var results: [Outcome] = []
    var current: RequestHead?
    var body: [UInt8] = []
    var start = 0
    repeat {
        let end = bytes.count - start > step ? start + step : bytes.count
        var offset = start
        let refused: Bool = bytes.withUnsafeBytes { all in
            while true {
                let piece = UnsafeRawBufferPointer(rebasing: all[offset..<end])
                let (used, event) = parser.parse(piece)
                switch event {
                case .needMore:
                    return false
                case .head(let head):
                    check(head)
                    current = head
                    body = []
                case .body(let range):
                    body += piece[range]
                case .end:
                    if let head = current {
                        results.append(.request(method: head.method, target: head.target,
                                                headers: head.fields.map { "\($0.key)=\($0.value)" }, body: body))
                    }
                    current = nil
                case .refused(let refusal):
                    results.append(.refused(refusal.status))
                    return true
                }
                offset += used
            }
        }
        if refused { return results }
        start = end
    } while start < bytes.count
    return results
}
