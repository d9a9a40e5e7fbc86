import GatewayHTTP
import Testing

@Suite("RequestTarget: PATH_INFO and QUERY_STRING from a request-target")
struct RequestTargetTests {
    @Test(arguments: [
        ("/a%20b/c?x=1&y=2", "/a b/c", "x=1&y=2"),
        ("/caf%C3%A9", "/café", ""),
        ("/%E9t%E9", "/été", ""),          // not UTF-8: read as Latin-1
        ("http://example.com/p?q=1", "/p", "q=1"),
        ("http://example.com", "", ""),
        ("*", "*", ""),
        ("/frag#ment", "/frag", ""),
        ("/%zz%4", "/%zz%4", ""),
    ])
    func requestTargets(raw: String, path: String, query: String) {
        let target = RequestTarget(raw)
        #expect(target.path == path)
        #expect(target.query == query)
    }
}
