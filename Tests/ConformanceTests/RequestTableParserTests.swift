import Gateway
import GatewayHTTP
import Testing

/// Every case of ``RequestTable`` through the shared parser alone: a refused
/// case is refused for exactly the kind the table names (the wire shows only
/// its status), whether the bytes come whole or one at a time; any other
/// case parses to a head and its end.
@Suite("Conformance: request table, parser")
struct RequestTableParserTests {
    @Test(arguments: RequestTable.cases)
    func theParserRefusesForTheKindNamed(testCase: RequestTable.Case) {
        let bytes = testCase.request.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let whole = Self.outcome(of: [bytes])
        let byteByByte = Self.outcome(of: bytes.map { [$0] })
        #expect(whole == byteByByte, "\(testCase.name): whole \(String(describing: whole)), byte by byte \(String(describing: byteByByte))")
        switch testCase.expected {
        case .refused(let kind):
            #expect(whole == kind, "\(testCase.name): refused for \(String(describing: whole)), not \(kind)")
        case .served, .app:
            #expect(whole == nil, "\(testCase.name): refused for \(String(describing: whole))")
        }
    }

    /// The kind of the first refusal the pieces meet, nil when none is.
    static func outcome(of pieces: [[UInt8]]) -> RequestRefusal.Kind? {
        var parser = RequestParser(limits: .init())
        for piece in pieces {
            var offset = 0
            while true {
                let (used, event) = piece.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                offset += used
                if case .refused(let refusal) = event { return refusal.kind }
                if case .needMore = event { break }
            }
        }
        return nil
    }
}
