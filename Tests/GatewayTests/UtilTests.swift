@_spi(GatewayKit) @testable import Gateway
import Testing

/// wsgiref.util's behaviour, case by case as CPython's test_wsgiref checks it.
@Suite("util (wsgiref.util)")
struct UtilTests {
    private func environ(_ variables: [String: String?]) -> Environ {
        var environ = Environ()
        for (key, value) in variables { environ.variables[key] = value }
        setupTestingDefaults(&environ)
        for (key, value) in variables where value == nil { environ.variables[key] = nil }
        return environ
    }

    @Test(arguments: [
        ("", "/", "", "/", ""),
        ("", "/x", "x", "/x", ""),
        ("/", "", nil, "/", ""),
        ("/a", "/x/y", "x", "/a/x", "/y"),
        ("/a", "/x/", "x", "/a/x", "/"),
        ("/a/b", "/../y", "..", "/a", "/y"),
        ("", "/../y", "..", "", "/y"),
        ("/a/b", "//y", "y", "/a/b/y", ""),
        ("/a/b", "//y/", "y", "/a/b/y", "/"),
        ("/a/b", "/./y", "y", "/a/b/y", ""),
        ("/a/b", "/./y/", "y", "/a/b/y", "/"),
        ("/a/b", "///./..//y/.//", "..", "/a", "/y/"),
        ("/a/b", "///", "", "/a/b/", ""),
        ("/a/b", "/.//", "", "/a/b/", ""),
        ("/a/b", "/x//", "x", "/a/b/x", "/"),
        ("/a/b", "/.", nil, "/a/b", ""),
    ] as [(String, String, String?, String, String)])
    func shiftPathInfoMovesOneSegment(script: String, path: String, shifted: String?, newScript: String, newPath: String) {
        var env = environ(["SCRIPT_NAME": script, "PATH_INFO": path])
        #expect(shiftPathInfo(&env) == shifted)
        #expect(env["SCRIPT_NAME"] == newScript)
        #expect(env["PATH_INFO"] == newPath)
    }

    @Test(arguments: [
        ("http://127.0.0.1/", [:]),
        ("http://127.0.0.1/spam", ["SCRIPT_NAME": "/spam"]),
        ("http://spam.example.com:2071/", ["HTTP_HOST": "spam.example.com:2071", "SERVER_PORT": "2071"]),
        ("http://spam.example.com/", ["SERVER_NAME": "spam.example.com"]),
        ("http://127.0.0.1/", ["HTTP_HOST": "127.0.0.1", "SERVER_NAME": "spam.example.com"]),
        ("https://127.0.0.1/", ["HTTPS": "on"]),
        ("http://127.0.0.1:8000/", ["SERVER_PORT": "8000", "HTTP_HOST": nil]),
    ] as [(String, [String: String?])])
    func applicationURIs(expected: String, variables: [String: String?]) {
        #expect(applicationURI(environ(variables)) == expected)
    }

    @Test(arguments: [
        ("http://127.0.0.1/", [:], true),
        ("http://127.0.0.1/spam", ["SCRIPT_NAME": "/spam"], true),
        ("http://127.0.0.1/spammity/spam", ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam"], true),
        ("http://127.0.0.1/spammity/sp%C3%A4m", ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/späm"], true),
        ("http://127.0.0.1/spammity/spam;ham", ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam;ham"], true),
        ("http://127.0.0.1/spammity/spam;cookie=1234,5678",
         ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam;cookie=1234,5678"], true),
        ("http://127.0.0.1/spammity/spam?say=ni",
         ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam", "QUERY_STRING": "say=ni"], true),
        ("http://127.0.0.1/spammity/spam?s%3Bay=ni",
         ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam", "QUERY_STRING": "s%3Bay=ni"], true),
        ("http://127.0.0.1/spammity/spam",
         ["SCRIPT_NAME": "/spammity", "PATH_INFO": "/spam", "QUERY_STRING": "say=ni"], false),
    ] as [(String, [String: String?], Bool)])
    func requestURIs(expected: String, variables: [String: String?], includeQuery: Bool) {
        #expect(requestURI(environ(variables), includeQuery: includeQuery) == expected)
    }

    @Test func guessSchemeReadsHTTPS() {
        for value in ["yes", "on", "1"] {
            #expect(guessScheme(environ(["HTTPS": value])) == "https")
        }
        for value in ["no", "off", "0", ""] {
            #expect(guessScheme(environ(["HTTPS": value])) == "http")
        }
        #expect(guessScheme(Environ()) == "http")
    }

    @Test func setupTestingDefaultsFillsWhatIsMissing() {
        var env = Environ()
        setupTestingDefaults(&env)
        #expect(env["SERVER_NAME"] == "127.0.0.1")
        #expect(env["SERVER_PROTOCOL"] == "HTTP/1.0")
        #expect(env["HTTP_HOST"] == "127.0.0.1")
        #expect(env["REQUEST_METHOD"] == "GET")
        #expect(env["SCRIPT_NAME"] == "")
        #expect(env["PATH_INFO"] == "/")
        #expect(env["SERVER_PORT"] == "80")
        #expect(env.urlScheme == "http")

        var secure = Environ(variables: ["HTTPS": "on", "SERVER_NAME": "example.org", "PATH_INFO": "/x"])
        setupTestingDefaults(&secure)
        #expect(secure["SERVER_PORT"] == "443")
        #expect(secure["HTTP_HOST"] == "example.org")
        #expect(secure["SCRIPT_NAME"] == nil)  // only filled when both are missing
        #expect(secure.urlScheme == "https")
    }

    @Test func hopByHop() {
        for name in ["Connection", "KEEP-ALIVE", "proxy-authenticate", "Proxy-Authorization", "te", "Trailers",
                     "Transfer-Encoding", "upgrade"] {
            #expect(isHopByHop(name), "\(name)")
        }
        for name in ["Content-Type", "Set-Cookie", "Content-Length", "Date", "Trailer", "Trailerz", "t",
                     "Connections", "X-Keep-Alive", "", String(repeating: "e", count: 80)] {
            #expect(isHopByHop(name) == (name == "Trailer"), "\(name)")
        }
    }

    /// Names compared ignoring case, eight bytes a step: every byte a field
    /// name or value may hold, at every position, matches only its own
    /// letter in either case.
    @Test func caseInsensitiveNameComparisonIsExact() {
        let allowed = [UInt8(0x09)] + Array(0x20...0x7E) + Array(0x80...0xFF)
        func check(_ name: StaticString) {
            let lower = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            for position in lower.indices {
                for byte in allowed {
                    var probe = lower
                    probe[position] = byte
                    let expected = HTTPCharacters.lowercased(byte) == lower[position]
                    let equal = probe.withUnsafeBytes { HTTPCharacters.equalsIgnoringCase($0, name) }
                    #expect(equal == expected, "\(name) with \(byte) at \(position)")
                }
            }
            #expect(Array("X".utf8).withUnsafeBytes { HTTPCharacters.equalsIgnoringCase($0, name) } == false)
            #expect(lower.map { $0 &- 0x61 < 26 ? $0 - 32 : $0 }.withUnsafeBytes { HTTPCharacters.equalsIgnoringCase($0, name) })
        }
        check("content-length")
        check("transfer-encoding")
        check("100-continue")
        check("keep-alive")
    }

    /// Header names are RFC 9110 tokens: every byte is checked, none other passes.
    @Test func headerNamesMustBeTokens() {
        let punctuation = Set("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let isToken = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || punctuation.contains(byte)
            let name = String(decoding: [0x58, byte], as: UTF8.self)
            let accepted = (try? validateResponseHeader(name: name, value: "v")) != nil
            #expect(accepted == isToken, "byte \(value)")
        }
    }
}
