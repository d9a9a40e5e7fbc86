/// Raw requests, valid and malformed, each with the answer every server of
/// the package must give (RFC 9112, RFC 9110). Sent to `/environ` so that an
/// application answer (200 with the environ) can never pass for a refusal.
enum RequestTable {
    enum Expected {
        /// Refused by the server with exactly this status; the application
        /// is never called and the connection closes.
        case refused(Int)
        /// Served by the probe's `/environ`: these environ entries (nil:
        /// absent) and, when given, this many body bytes read.
        case served([String: String?], body: Int? = nil)
        /// Reaches the application, which answers this status (its 404 for an unrouted target).
        case app(Int)
    }

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let request: String
        let expected: Expected
        var description: String { name }
    }

    static let host = "Host: x\r\n"
    static func get(_ fields: String = "", version: String = "HTTP/1.1") -> String {
        "GET /environ \(version)\r\n\(version == "HTTP/1.1" ? host : "")\(fields)\r\n"
    }
    static func post(_ fields: String, body: String = "") -> String {
        "POST /environ HTTP/1.1\r\n\(host)\(fields)\r\n\(body)"
    }
    static func chunked(_ body: String) -> String { post("Transfer-Encoding: chunked\r\n", body: body) }
    static let hello = "5\r\nhello\r\n0\r\n\r\n"

    static let cases: [Case] = requestLine + fieldLines + hosts + lengths + codings + chunks + methods + connections

    static let requestLine: [Case] = [
        Case(name: "plain GET", request: get(), expected: .served(["REQUEST_METHOD": "GET", "PATH_INFO": "/environ", "SERVER_PROTOCOL": "HTTP/1.1"])),
        Case(name: "query kept raw", request: "GET /environ?a=%20b&c HTTP/1.1\r\n\(host)\r\n", expected: .served(["QUERY_STRING": "a=%20b&c"])),
        Case(name: "path percent-decoded", request: "GET /environ/a%20b HTTP/1.1\r\n\(host)\r\n", expected: .served(["PATH_INFO": "/environ/a b"])),
        Case(name: "two spaces after method", request: "GET  /environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "two spaces before version", request: "GET /environ  HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "space after version", request: "GET /environ HTTP/1.1 \r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "tab as separator", request: "GET\t/environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "missing version", request: "GET /environ\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "lower-case protocol name", request: "GET /environ http/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "version without minor", request: "GET /environ HTTP/1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "two-digit minor", request: "GET /environ HTTP/1.10\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "garbage version", request: "GET /environ HTTP/x.y\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "HTTP/2.0", request: "GET /environ HTTP/2.0\r\n\(host)\r\n", expected: .refused(505)),
        Case(name: "HTTP/0.9", request: "GET /environ HTTP/0.9\r\n\(host)\r\n", expected: .refused(505)),
        Case(name: "HTTP/3.0", request: "GET /environ HTTP/3.0\r\n\(host)\r\n", expected: .refused(505)),
        Case(name: "HTTP/1.2 read as 1.1", request: "GET /environ HTTP/1.2\r\n\(host)\r\n", expected: .served(["SERVER_PROTOCOL": "HTTP/1.1"])),
        Case(name: "HTTP/1.0", request: get(version: "HTTP/1.0"), expected: .served(["SERVER_PROTOCOL": "HTTP/1.0"])),
        Case(name: "method not a token", request: "GE(T /environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "empty method", request: " /environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "custom method", request: "PURGE /environ HTTP/1.1\r\n\(host)\r\n", expected: .served(["REQUEST_METHOD": "PURGE"])),
        Case(name: "method is case-sensitive", request: "get /environ HTTP/1.1\r\n\(host)\r\n", expected: .served(["REQUEST_METHOD": "get"])),
        Case(name: "control byte in target", request: "GET /environ\u{01} HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "DEL in target", request: "GET /environ\u{7F} HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "non-ASCII byte in target", request: "GET /environ\u{E9} HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "target not a path", request: "GET environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "asterisk-form for OPTIONS", request: "OPTIONS * HTTP/1.1\r\n\(host)\r\n", expected: .app(404)),
        Case(name: "asterisk-form for GET", request: "GET * HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "absolute-form", request: "GET http://example.com/environ?x=1 HTTP/1.1\r\n\(host)\r\n", expected: .served(["PATH_INFO": "/environ", "QUERY_STRING": "x=1"])),
        // RFC 9112 §3.2.2: the target's authority, not the Host field, names the host.
        Case(name: "absolute-form's authority is the host", request: "GET http://example.com:8080/environ HTTP/1.1\r\nHost: other.test\r\n\r\n",
             expected: .served(["HTTP_HOST": "example.com:8080", "PATH_INFO": "/environ"])),
        Case(name: "absolute-form with an empty host", request: "GET http:///environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "absolute-form with userinfo", request: "GET http://u@example.com/environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "fragment in the target", request: "GET /environ#part HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "HEAD with a target over the limit", request: "HEAD /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\(host)\r\n", expected: .refused(414)),
        Case(name: "authority-form for CONNECT", request: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", expected: .app(404)),
        Case(name: "CONNECT with a path", request: "CONNECT /environ HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "authority-form for GET", request: "GET example.com:80 HTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "request line over the limit", request: "GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\n\(host)\r\n", expected: .refused(414)),
        Case(name: "empty line before the request", request: "\r\n" + get(), expected: .served(["PATH_INFO": "/environ"])),
        Case(name: "bare LF ends the request line", request: "GET /environ HTTP/1.1\n\(host)\r\n", expected: .refused(400)),
        Case(name: "bare LF ends every line", request: "GET /environ HTTP/1.1\nHost: x\n\n", expected: .refused(400)),
        Case(name: "bare LF ends the head", request: "GET /environ HTTP/1.1\r\nHost: x\r\n\n", expected: .refused(400)),
        Case(name: "bare CR in the request line", request: "GET /environ\rHTTP/1.1\r\n\(host)\r\n", expected: .refused(400)),
        Case(name: "garbage line", request: "HELLO\r\n\r\n", expected: .refused(400)),
    ]

    static let fieldLines: [Case] = [
        Case(name: "space before colon", request: get("X-A : v\r\n"), expected: .refused(400)),
        Case(name: "Host with space before colon", request: "GET /environ HTTP/1.1\r\nHost : x\r\n\r\n", expected: .refused(400)),
        Case(name: "tab before colon", request: get("X-A\t: v\r\n"), expected: .refused(400)),
        Case(name: "space inside a name", request: get("Bad Name: v\r\n"), expected: .refused(400)),
        Case(name: "empty name", request: get(": v\r\n"), expected: .refused(400)),
        Case(name: "no colon", request: get("NoColon\r\n"), expected: .refused(400)),
        Case(name: "obs-fold with spaces", request: get("X-A: a\r\n  folded\r\n"), expected: .refused(400)),
        Case(name: "obs-fold with a tab", request: get("X-A: a\r\n\tfolded\r\n"), expected: .refused(400)),
        Case(name: "whitespace before the first field", request: "GET /environ HTTP/1.1\r\n Host: x\r\n\r\n", expected: .refused(400)),
        Case(name: "NUL in a value", request: get("X-A: a\u{0}b\r\n"), expected: .refused(400)),
        Case(name: "bare CR in a value", request: get("X-A: a\rb\r\n"), expected: .refused(400)),
        Case(name: "control byte in a value", request: get("X-A: a\u{01}b\r\n"), expected: .refused(400)),
        Case(name: "DEL in a value", request: get("X-A: a\u{7F}b\r\n"), expected: .refused(400)),
        Case(name: "non-token byte in a name", request: get("X-A(b): v\r\n"), expected: .refused(400)),
        Case(name: "leading tab trimmed", request: get("X-Pad:\t spaced out\r\n"), expected: .served(["HTTP_X_PAD": "spaced out"])),
        Case(name: "trailing whitespace trimmed", request: get("X-Pad: v \t\r\n"), expected: .served(["HTTP_X_PAD": "v"])),
        Case(name: "inner whitespace kept", request: get("X-Pad: a \t b\r\n"), expected: .served(["HTTP_X_PAD": "a \t b"])),
        Case(name: "no space after colon", request: get("X-Pad:v\r\n"), expected: .served(["HTTP_X_PAD": "v"])),
        Case(name: "empty value", request: get("X-Empty:\r\n"), expected: .served(["HTTP_X_EMPTY": ""])),
        Case(name: "obs-text read as Latin-1", request: get("X-Latin: caf\u{E9}\r\n"), expected: .served(["HTTP_X_LATIN": "café"])),
        Case(name: "repeated field joined", request: get("X-A: 1\r\nX-A: 2\r\n"), expected: .served(["HTTP_X_A": "1, 2"])),
        Case(name: "underscore name dropped", request: get("X_A: v\r\n"), expected: .served(["HTTP_X_A": nil])),
        Case(name: "name case folded", request: get("x-mIxEd: v\r\n"), expected: .served(["HTTP_X_MIXED": "v"])),
        Case(name: "Content-Type without HTTP_", request: get("Content-Type: text/plain\r\n"), expected: .served(["CONTENT_TYPE": "text/plain", "HTTP_CONTENT_TYPE": nil])),
        Case(name: "header over the limit", request: get("X-Big: " + String(repeating: "a", count: 70_000) + "\r\n"), expected: .refused(431)),
        Case(name: "many small headers over the limit", request: get((0..<3000).map { "X-\($0): \(String(repeating: "v", count: 20))\r\n" }.joined()), expected: .refused(431)),
        Case(name: "150 field lines", request: get((0..<150).map { "X-\($0): v\r\n" }.joined()), expected: .refused(431)),
        Case(name: "100 field lines", request: get((0..<99).map { "X-\($0): v\r\n" }.joined()), expected: .served(["HTTP_X_98": "v"])),
        Case(name: "a 40 KB value", request: get("X-Big: " + String(repeating: "b", count: 40_000) + "\r\n"), expected: .served(["HTTP_X_BIG": String(repeating: "b", count: 40_000)])),
    ]

    static let hosts: [Case] = [
        Case(name: "HTTP/1.1 without Host", request: "GET /environ HTTP/1.1\r\n\r\n", expected: .refused(400)),
        Case(name: "two Host fields", request: "GET /environ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", expected: .refused(400)),
        Case(name: "two equal Host fields", request: "GET /environ HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", expected: .refused(400)),
        Case(name: "empty Host", request: "GET /environ HTTP/1.1\r\nHost:\r\n\r\n", expected: .served(["HTTP_HOST": ""])),
        Case(name: "Host with port", request: "GET /environ HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", expected: .served(["HTTP_HOST": "example.com:8080"])),
        Case(name: "Host IPv6 literal", request: "GET /environ HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", expected: .served(["HTTP_HOST": "[::1]:80"])),
        Case(name: "Host with a space", request: "GET /environ HTTP/1.1\r\nHost: a b\r\n\r\n", expected: .refused(400)),
        Case(name: "Host with a slash", request: "GET /environ HTTP/1.1\r\nHost: a/b\r\n\r\n", expected: .refused(400)),
        Case(name: "Host with userinfo", request: "GET /environ HTTP/1.1\r\nHost: user@a\r\n\r\n", expected: .refused(400)),
        Case(name: "Host with a bad port", request: "GET /environ HTTP/1.1\r\nHost: a:b\r\n\r\n", expected: .refused(400)),
        Case(name: "Host with an open bracket", request: "GET /environ HTTP/1.1\r\nHost: [::1\r\n\r\n", expected: .refused(400)),
        Case(name: "HTTP/1.0 without Host", request: "GET /environ HTTP/1.0\r\n\r\n", expected: .served(["HTTP_HOST": nil])),
        Case(name: "HTTP/1.0 with two Host fields", request: "GET /environ HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", expected: .refused(400)),
    ]

    static let lengths: [Case] = [
        Case(name: "Content-Length body", request: post("Content-Length: 5\r\n", body: "hello"), expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
        Case(name: "Content-Length 0", request: post("Content-Length: 0\r\n"), expected: .served(["CONTENT_LENGTH": "0"], body: 0)),
        Case(name: "Content-Length with leading zeros", request: post("Content-Length: 005\r\n", body: "hello"), expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
        Case(name: "Content-Length with OWS", request: post("Content-Length:  5 \r\n", body: "hello"), expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
        Case(name: "Content-Length repeated equal", request: post("Content-Length: 5\r\nContent-Length: 5\r\n", body: "hello"), expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
        Case(name: "Content-Length list of equal values", request: post("Content-Length: 5, 5\r\n", body: "hello"), expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
        Case(name: "Content-Length differing", request: post("Content-Length: 3\r\nContent-Length: 5\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length list differing", request: post("Content-Length: 3, 5\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length with plus", request: post("Content-Length: +5\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length negative", request: post("Content-Length: -5\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length hex", request: post("Content-Length: 0x5\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length with inner space", request: post("Content-Length: 1 2\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "Content-Length not a number", request: post("Content-Length: abc\r\n"), expected: .refused(400)),
        Case(name: "Content-Length empty", request: post("Content-Length:\r\n"), expected: .refused(400)),
        Case(name: "Content-Length huge", request: post("Content-Length: 99999999999999999999999\r\n"), expected: .refused(400)),
        Case(name: "Content-Length over the body limit", request: post("Content-Length: 100000000000\r\n"), expected: .refused(413)),
        Case(name: "GET with a body", request: "GET /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .served(["REQUEST_METHOD": "GET"], body: 5)),
        Case(name: "DELETE with a body", request: "DELETE /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .served(["REQUEST_METHOD": "DELETE"], body: 5)),
        Case(name: "HTTP/1.0 with a body", request: "POST /environ HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello", expected: .served(["CONTENT_LENGTH": "5"], body: 5)),
    ]

    static let codings: [Case] = [
        Case(name: "chunked body", request: chunked(hello), expected: .served(["CONTENT_LENGTH": nil, "HTTP_TRANSFER_ENCODING": "chunked"], body: 5)),
        Case(name: "chunked in any case", request: post("Transfer-Encoding: ChUnKeD\r\n", body: hello), expected: .served([:], body: 5)),
        Case(name: "chunked with OWS", request: post("Transfer-Encoding:  chunked \r\n", body: hello), expected: .served([:], body: 5)),
        Case(name: "TE and CL", request: post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", body: hello), expected: .refused(400)),
        Case(name: "CL after TE", request: post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE gzip only", request: post("Transfer-Encoding: gzip\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "TE chunked then gzip", request: post("Transfer-Encoding: chunked, gzip\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE gzip then chunked", request: post("Transfer-Encoding: gzip, chunked\r\n", body: hello), expected: .refused(501)),
        Case(name: "TE over two lines", request: post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body: hello), expected: .refused(501)),
        Case(name: "TE identity", request: post("Transfer-Encoding: identity\r\n", body: "hello"), expected: .refused(400)),
        Case(name: "TE chunked twice", request: post("Transfer-Encoding: chunked, chunked\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE xchunked", request: post("Transfer-Encoding: xchunked\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE empty", request: post("Transfer-Encoding:\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE with a space before the colon", request: post("Transfer-Encoding : chunked\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE in HTTP/1.0 smuggles a second request", request: "POST /environ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n31\r\nGET /environ HTTP/1.1\r\nHost: x\r\nX-Smuggled: 1\r\n\r\n\r\n0\r\n\r\n", expected: .refused(400)),
        Case(name: "TE with a vertical tab", request: post("Transfer-Encoding: \u{0B}chunked\r\n", body: hello), expected: .refused(400)),
        // RFC 9112 §6.1, RFC 9110 §10.1.4: a list of `token *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )`;
        // anything else is no framing at all, never "chunked" by its first word (#20).
        Case(name: "TE chunked then a field line", request: post("Transfer-Encoding: chunked X: X\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE chunked, tab, a field line", request: post("Transfer-Encoding: chunked\tX: X\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE chunked foo", request: post("Transfer-Encoding: chunked foo\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE chunked chunked", request: post("Transfer-Encoding: chunked chunked\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE parameter without a value", request: post("Transfer-Encoding: chunked;foo\r\n", body: hello), expected: .refused(400)),
        Case(name: "TE with empty list elements", request: post("Transfer-Encoding: , chunked ,\r\n", body: hello), expected: .served([:], body: 5)),
        // Well-formed (the comma is inside the quoted-string), then an unknown coding.
        Case(name: "TE parameter quoted", request: post("Transfer-Encoding: foo ; p = \"a, b\" , chunked\r\n", body: hello), expected: .refused(501)),
    ]

    static let chunks: [Case] = [
        Case(name: "chunk extension", request: chunked("5;name=value\r\nhello\r\n0\r\n\r\n"), expected: .served([:], body: 5)),
        Case(name: "chunk extension quoted", request: chunked("5;a=\"b c\";d\r\nhello\r\n0;e=f\r\n\r\n"), expected: .served([:], body: 5)),
        Case(name: "chunk extension with BWS", request: chunked("5 ; a = b\r\nhello\r\n0\r\n\r\n"), expected: .served([:], body: 5)),
        Case(name: "chunk extension without a name", request: chunked("5;=x\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk extension unterminated quote", request: chunked("5;a=\"b\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk extension over the limit", request: chunked("5;a=" + String(repeating: "x", count: 5000) + "\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "trailers", request: chunked("5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"), expected: .served(["HTTP_X_TRAILER": nil], body: 5)),
        Case(name: "malformed trailer", request: chunked("5\r\nhello\r\n0\r\nX-T : t\r\n\r\n"), expected: .refused(400)),
        Case(name: "several chunks", request: chunked("3\r\nabc\r\n2\r\nde\r\nA\r\n0123456789\r\n0\r\n\r\n"), expected: .served([:], body: 15)),
        Case(name: "upper-case hex size", request: chunked("A\r\n0123456789\r\n0\r\n\r\n"), expected: .served([:], body: 10)),
        Case(name: "empty chunked body", request: chunked("0\r\n\r\n"), expected: .served([:], body: 0)),
        Case(name: "chunk size 0x", request: chunked("0x5\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size with plus", request: chunked("+5\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size negative", request: chunked("-5\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size after a space", request: chunked(" 5\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk extension before a space", request: chunked("5;a=b \r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size before a space", request: chunked("5 \r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size not hex", request: chunked("zz\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size missing", request: chunked("\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size huge", request: chunked("fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), expected: .refused(413)),
        Case(name: "chunk data without CRLF", request: chunked("5\r\nhelloX\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk data longer than its size", request: chunked("3\r\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk size line with bare LF", request: chunked("5\nhello\r\n0\r\n\r\n"), expected: .refused(400)),
        Case(name: "chunk data ends with bare LF", request: chunked("5\r\nhello\n0\r\n\r\n"), expected: .refused(400)),
    ]

    static let methods: [Case] = [
        Case(name: "HEAD with a body", request: "HEAD /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .refused(400)),
        Case(name: "HEAD with a chunked body", request: "HEAD /environ HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n\(hello)", expected: .refused(400)),
        Case(name: "TRACE with a body", request: "TRACE /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .refused(400)),
        Case(name: "PATCH with a body", request: "PATCH /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .served(["REQUEST_METHOD": "PATCH"], body: 5)),
        Case(name: "custom method with a body", request: "PROPFIND /environ HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", expected: .served(["REQUEST_METHOD": "PROPFIND"], body: 5)),
    ]

    static let connections: [Case] = [
        Case(name: "Expect other than 100-continue ignored", request: get("Expect: something\r\n"), expected: .served(["HTTP_EXPECT": "something"])),
        Case(name: "Connection list with close", request: get("Connection: keep-alive, close\r\n"), expected: .served(["HTTP_CONNECTION": "keep-alive, close"])),
        Case(name: "Connection in upper case", request: get("Connection: CLOSE\r\n"), expected: .served(["HTTP_CONNECTION": "CLOSE"])),
    ]
}
