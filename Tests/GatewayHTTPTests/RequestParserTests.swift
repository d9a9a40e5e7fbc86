@testable import GatewayHTTP
import Testing

@Suite("RequestParser")
struct RequestParserTests {
    static let samples = [
        "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Pad:\t spaced \r\n\r\n",
        "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=\"a b\"\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n",
        "\r\nGET / HTTP/1.0\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    ].map { Array($0.utf8) }

    @Test(arguments: samples.indices)
    func everySplitReadsTheSame(sample: Int) {
        let bytes = Self.samples[sample]
        let whole = outcomes(of: bytes)
        #expect(!whole.isEmpty && !whole.contains { if case .refused = $0 { true } else { false } }, "\(whole)")
        for step in 1...8 { #expect(outcomes(of: bytes, step: step) == whole, "step \(step)") }
        for cut in 1..<bytes.count {  // two pieces, cut anywhere
            var parts = outcomes(of: Array(bytes[..<cut]) + Array(bytes[cut...]), step: cut)
            if parts != whole { parts = outcomes(of: bytes, step: cut) }
            #expect(parts == whole, "cut at \(cut)")
        }
    }

    @Test func headValuesAreCheckedAndTrimmed() {
        let result = outcomes(of: Self.samples[0]) { head in
            #expect(head.method == "GET" && head.target == "/a/b?x=1" && head.minorVersion == 1)
            #expect(head.fields.map(\.value) == ["h", "spaced"])
            #expect(head.keepAlive && !head.expectsContinue && head.framing == .none)
        }
        #expect(result.count == 1)
    }

    /// Fields come out as environ entries: CGI keys, a repeated field's
    /// values joined in order, names holding `_` dropped, the decided
    /// Content-Length in place of the one sent.
    @Test func fieldsBecomeEnvironEntries() {
        let request = "POST / HTTP/1.1\r\nHost: h\r\nX-Tag: a\r\nContent-Type: text/plain\r\nx-tag: b\r\n"
            + "X_Tag: spoof\r\nContent-Length: 005\r\nX-TAG: c\r\n\r\nhello"
        let result = outcomes(of: Array(request.utf8)) { head in
            #expect(head.fields.map(\.key) == ["HTTP_HOST", "HTTP_X_TAG", "CONTENT_TYPE", "CONTENT_LENGTH"])
            #expect(head.field("HTTP_X_TAG") == "a, b, c")
            #expect(head.field("CONTENT_TYPE") == "text/plain")
            #expect(head.field("CONTENT_LENGTH") == "5")
        }
        #expect(result.count == 1)
    }

    /// Found by `make fuzz`: an empty repeat made `v, `, a value ending in
    /// whitespace, which the parser promises never to hand on.
    /// Common field names get their keys from a table, others are spelled
    /// out: both give PEP 3333's key, in any letter case.
    @Test func fieldKeysAreTheSameFromTheTableAndSpelledOut() {
        let names = ["Host", "hOST", "Accept", "cookie", "Origin", "Referer", "User-Agent", "CONNECTION", "Content-Type",
                     "Cache-Control", "Authorization", "If-None-Match", "content-length", "Sec-Fetch-Site", "Sec-Fetch-Mode",
                     "Sec-Fetch-Dest", "Sec-Fetch-User", "Accept-Encoding", "Accept-Language", "X-Forwarded-For",
                     "If-Modified-Since", "X-Forwarded-Proto", "Upgrade-Insecure-Requests",
                     // near misses of the table, and others
                     "Hosts", "Hast", "Accept-Encodinx", "Cookie2", "X-Forwarded-Fox", "If-Modified-Sinc", "a", "X-1",
                     "X-A-Header-Name-Well-Over-Fifteen-Bytes"]
        for name in names {
            let spelled = "HTTP_" + String(decoding: name.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 &- 0x61 < 26 ? $0 &- 32 : $0 },
                                           as: UTF8.self)
            let expected = ["CONTENT-TYPE": "CONTENT_TYPE", "CONTENT-LENGTH": "CONTENT_LENGTH"][name.uppercased()] ?? spelled
            #expect(cgiVariableName(forHeader: name) == expected, "\(name)")
        }
        #expect(cgiVariableName(forHeader: "X_Forwarded_For") == nil)
    }

    @Test func anEmptyRepeatLeavesNoTrailingWhitespace() {
        let request = "GET / HTTP/1.1\r\nHost: h\r\nX-0: v\r\nX-0:\r\nX-1:\r\nX-1:  w \r\nX-2:\r\nX-2:\r\n\r\n"
        let result = outcomes(of: Array(request.utf8)) { head in
            #expect(head.field("HTTP_X_0") == "v,")
            #expect(head.field("HTTP_X_1") == ", w")
            #expect(head.field("HTTP_X_2") == ",")
        }
        #expect(result.count == 1)
        var cgi = CGIVariables(method: "GET", target: "/", protocolName: "HTTP/1.1", server: ("h", "80"), peer: ("127.0.0.1", 1))
        cgi.addHeader(name: "X-0", value: "v")
        cgi.addHeader(name: "X-0", value: "")
        #expect(cgi.variables["HTTP_X_0"] == "v,")
    }

    /// Whether a refusal answers a HEAD (and so has no body) is the refused
    /// request's own method, never the one before it on the connection.
    @Test(arguments: [
        ("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\n", false),
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD / HTTP/1.1\n", true),
        ("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET /\u{1} HTTP/1.1\r\n", false),
    ])
    func aRefusalKnowsWhetherItAnswersAHead(request: String, isHead: Bool) {
        var parser = RequestParser(limits: .init())
        let bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let (consumed, event) = bytes[offset...].withUnsafeBytes { parser.parse($0) }
            offset += consumed
            if case .refused = event { break }
            if case .needMore = event { break }
        }
        #expect(parser.isHeadRequest == isHead)
    }

    /// A request line over the limit split anywhere still tells a HEAD.
    @Test(arguments: 1...6)
    func anOverlongHeadLineSplitAnywhereIsAHead(split: Int) {
        var limits = RequestParser.Limits()
        limits.maxRequestLine = 64
        var parser = RequestParser(limits: limits)
        let bytes = Array(("HEAD /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\n").utf8)
        _ = bytes[..<split].withUnsafeBytes { parser.parse($0) }
        let (_, event) = bytes[split...].withUnsafeBytes { parser.parse($0) }
        guard case .refused(let refusal) = event else {
            Issue.record("not refused: \(event)")
            return
        }
        #expect(refusal.status == 414)
        #expect(parser.isHeadRequest)
    }

    @Test func chunkedBodyIsDechunkedWithExtensionsAndTrailersDropped() {
        #expect(outcomes(of: Self.samples[2]) == [.request(method: "POST", target: "/up", headers: ["HTTP_HOST=h", "HTTP_TRANSFER_ENCODING=chunked"], body: Array("Wikipedia".utf8))])
    }

    @Test func pipelinedRequestsFollowEachOther() {
        let result = outcomes(of: Self.samples[3]) { head in
            #expect(!head.keepAlive)  // HTTP/1.0 without keep-alive, then `Connection: close`
        }
        #expect(result.map { if case let .request(_, target, _, _) = $0 { target } else { "" } } == ["/", "/two"])
    }

    @Test func connectionAndExpectAreRead() {
        _ = outcomes(of: Array("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".utf8)) { #expect($0.keepAlive) }
        _ = outcomes(of: Array("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n".utf8)) { #expect(!$0.keepAlive) }
        _ = outcomes(of: Array("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx".utf8)) { #expect($0.expectsContinue) }
        _ = outcomes(of: Array("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx".utf8)) { #expect(!$0.expectsContinue) }
    }

    @Test func limitsAnswerTheirStatus() {
        var limits = RequestParser.Limits()
        limits.maxRequestLine = 20
        limits.maxHeaderBytes = 40
        limits.maxHeaderCount = 3
        limits.maxBodyBytes = 8
        func status(_ text: String) -> Outcome? { outcomes(of: Array(text.utf8), step: 3, limits: limits).last }
        #expect(status("GET /" + String(repeating: "a", count: 30) + " HTTP/1.1\r\n") == .refused(414))
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 40) + "\r\n\r\n") == .refused(431))
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n") == .refused(431))
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n") == .refused(413))
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n") == .refused(413))
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n") == .refused(431))
    }

    @Test func idleAndFinish() {
        var parser = RequestParser(limits: .init())
        #expect(parser.isIdle && parser.finish() == nil)
        Array("GET / HT".utf8).withUnsafeBytes { _ = parser.parse($0) }
        #expect(!parser.isIdle)
        #expect(parser.finish()?.status == 400)
    }

    @Test func contentLengthBodyCanBeSkipped() {
        var parser = RequestParser(limits: .init())
        Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n".utf8).withUnsafeBytes {
            #expect(parser.parse($0).event != .needMore)
            #expect(parser.parse(UnsafeRawBufferPointer(rebasing: $0[$0.count...])).event == .needMore)
        }
        #expect(parser.bodyBytesExpected == 10)
        parser.skipBody(4)
        #expect(parser.bodyBytesExpected == 6)
        parser.skipBody(6)
        #expect(parser.bodyBytesExpected == 0)
        #expect(parser.parse(UnsafeRawBufferPointer(start: nil, count: 0)).event == .end)
        #expect(parser.isIdle)
    }

    @Test func hostSyntax() {
        for valid in ["", "a", "a.b-c_d~", "a:80", "a:", "1.2.3.4:8080", "[::1]", "[::1]:80", "%41b"] {
            #expect(RequestSyntax.isHost(Array(valid.utf8)), "\(valid)")
        }
        for invalid in ["a b", "a/b", "u@a", "a:b", "[::1", "[]", "a:80:90", "a?b", "a\"b"] {
            #expect(!RequestSyntax.isHost(Array(invalid.utf8)), "\(invalid)")
        }
    }
}
