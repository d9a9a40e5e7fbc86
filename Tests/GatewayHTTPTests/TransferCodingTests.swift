@testable import GatewayHTTP
import Testing

/// `Transfer-Encoding` read by its grammar (RFC 9112 §6.1, RFC 9110 §10.1.4,
/// §5.6.1), never by its first word (#20).
@Suite("Transfer-Encoding syntax")
struct TransferCodingTests {
    static func codings(_ value: String) -> [String]? {
        Array(value.utf8).withUnsafeBytes { RequestSyntax.transferCodings($0) }
    }

    @Test(arguments: [
        ("chunked", ["chunked"]),
        ("ChUnKeD", ["chunked"]),
        ("gzip, chunked", ["gzip", "chunked"]),
        ("gzip,chunked", ["gzip", "chunked"]),
        (" , gzip ,, chunked , ", ["gzip", "chunked"]),  // empty elements, OWS around commas
        ("", []),
        (",", []),
        ("gzip;level=9, chunked", ["gzip", "chunked"]),
        ("foo ; p = \"a, b\" ;q=1 , chunked", ["foo", "chunked"]),  // OWS before ";", BWS around "=", a comma quoted
        ("foo;p=\"a\\\"b\\\\\", chunked", ["foo", "chunked"]),  // quoted-pairs
        ("foo;p=\"\", chunked", ["foo", "chunked"]),
        ("foo;p=\"caf\u{E9}\", chunked", ["foo", "chunked"]),  // obs-text in a quoted-string
    ])
    func aListOfCodingsIsRead(value: String, expected: [String]) {
        #expect(Self.codings(value) == expected, "\(value.debugDescription)")
    }

    @Test(arguments: [
        "chunked X: X", "chunked\tX: X", "chunked foo", "chunked chunked", "chunked;foo",  // the table
        "chunked;", "chunked;=x", "chunked;a=", "chunked;a= ", "chunked;a=b c", "chunked;a=b;", "chunked,;a=b",
        "chunked;a=\"b", "chunked;a=\"b\\", "chunked;a=\"b\"c", "chunked;a=\"\u{7F}\"", "chunked;a=b=c",
        "\"chunked\"", "chunked/1", "(chunked)", "chunked, gzip x", "; chunked",
    ])
    func anythingElseIsNotAList(value: String) {
        #expect(Self.codings(value) == nil, "\(value.debugDescription)")
    }

    /// The parser refuses such a value with 400 before reading a body, split anywhere.
    @Test(arguments: ["chunked X: X", "chunked\tX: X", "chunked foo", "chunked chunked", "chunked;foo"])
    func aValueThatIsNotAListIsABadRequest(value: String) {
        let request = Array("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \(value)\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        for step in [1, 7, .max] { #expect(outcomes(of: request, step: step) == [.refused(400)], "\(value.debugDescription), step \(step)") }
    }

    /// Well-formed: an unknown coding before chunked is not implemented (501);
    /// a list that does not end in chunked frames nothing (400).
    @Test(arguments: [
        ("foo;p=\"a, b\", chunked", 501),
        ("gzip;level=9, chunked", 501),
        ("chunked;p=\"x\", gzip", 400),
    ])
    func aWellFormedListIsJudgedByItsCodings(value: String, status: Int) {
        let request = Array("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \(value)\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        #expect(outcomes(of: request) == [.refused(status)], "\(value.debugDescription)")
    }
}
