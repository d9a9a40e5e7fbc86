@testable import Gateway
import GatewayTesting
import Testing

@Suite("Handler: PEP 3333 response rules")
struct HandlerTests {
    @Test func singleChunkGetsContentLength() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Content-Type", "text/plain")])
            return ["Hello"]
        }
        #expect(sent.head?.status == ResponseStatus(code: 200, reason: "OK"))
        #expect(sent.header("Content-Length") == "5")
        #expect(sent.head?.framing == .contentLength(5))
        #expect(sent.body == "Hello")
        #expect(sent.finished)
    }

    @Test func arrayOfChunksGetsTheirTotalLength() {
        let (sent, _) = run { _, start in
            try start("200 OK", [])
            return ["ab", "", "cde"]
        }
        #expect(sent.header("Content-Length") == "5")
        #expect(sent.body == "abcde")
    }

    @Test func emptyBodyGetsZeroLength() {
        let (sent, _) = run { _, start in
            try start("200 OK", [])
            return [String]()
        }
        #expect(sent.header("Content-Length") == "0")
        #expect(sent.chunks.isEmpty)
    }

    @Test func streamOfUnknownLengthIsChunkedOnHTTP11() {
        let (sent, _) = run { _, start in
            try start("200 OK", [])
            return StreamBody(["a", "b", "c"])
        }
        #expect(sent.head?.framing == .chunked)
        #expect(sent.header("Content-Length") == nil)
        #expect(sent.chunks.count == 3)
    }

    @Test func streamOnHTTP10IsDelimitedByClose() {
        let (sent, _) = run({ _, start in
            try start("200 OK", [])
            return StreamBody(["a", "b"])
        }, proto: "HTTP/1.0")
        #expect(sent.head?.framing == .untilClose)
        #expect(sent.body == "ab")
    }

    @Test func applicationContentLengthIsKept() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Content-Length", "4")])
            return StreamBody(["ab", "cd"])
        }
        #expect(sent.head?.framing == .contentLength(4))
        #expect(sent.headCount("Content-Length") == 1)
        #expect(sent.body == "abcd")
    }

    @Test func headSendsHeadersButNoBody() {
        let body = TrackedBody(["Hello"])
        let (sent, _) = run({ _, start in
            try start("200 OK", [])
            return body
        }, method: "HEAD")
        #expect(sent.head?.framing == BodyFraming.none)
        #expect(sent.chunks.isEmpty)
        #expect(body.closeCount == 1)
    }

    @Test(arguments: [204, 304])
    func noBodyStatusesSendNoBody(code: Int) {
        let (sent, _) = run { _, start in
            try start("\(code) \(ResponseStatus.reasonPhrase(for: code))", [])
            return ["ignored"]
        }
        #expect(sent.head?.status.code == code)
        #expect(sent.head?.framing == BodyFraming.none)
        #expect(sent.header("Content-Length") == nil)
        #expect(sent.chunks.isEmpty)
    }

    /// 205 Reset Content: no content whatever the application returns
    /// (RFC 9110 §15.3.6), and `Content-Length: 0` to say so.
    @Test func resetContentSendsNoBodyAndSaysSo() {
        for returned in [["ignored"], []] {
            let (sent, _) = run { _, start in
                try start("205 Reset Content", [("Content-Length", "7")])
                return returned
            }
            #expect(sent.head?.status.code == 205)
            #expect(sent.head?.framing == BodyFraming.none)
            #expect(sent.head?.headers.filter { $0.0.lowercased() == "content-length" }.map(\.1) == ["0"])
            #expect(sent.chunks.isEmpty)
        }
    }

    @Test func errorBeforeHeadersBecomes500AndIsLogged() {
        struct Broken: Error {}
        let (sent, errors) = run { _, _ in throw Broken() }
        #expect(sent.head?.status.code == 500)
        #expect(sent.chunks.joined().elementsEqual(Handler.errorBody))
        #expect(errors.text.contains("GET / HTTP/1.1"))
        #expect(errors.text.contains("Broken"))
    }

    @Test func errorInFirstChunkStillBecomes500AndCloses() {
        let body = TrackedBody(["never"], failAfter: 0)
        let (sent, errors) = run { _, start in
            try start("200 OK", [])
            return body
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("boom-marker"))
        #expect(body.closeCount == 1)
        #expect(!sent.body.contains("boom-marker"))
    }

    @Test func errorAfterHeadersAbortsTheConnection() {
        let body = StreamFailing()
        let (sent, errors) = run { _, start in
            try start("200 OK", [])
            return body.stream
        }
        #expect(sent.head?.status.code == 200)
        #expect(sent.body == "partial")
        #expect(sent.aborted)
        #expect(!sent.finished)
        #expect(errors.text.contains("boom-marker"))
        #expect(body.closed)
    }

    @Test func closeIsCalledExactlyOnceOnSuccess() {
        let body = TrackedBody(["a", "b"])
        _ = run { _, start in
            try start("200 OK", [])
            return body
        }
        #expect(body.closeCount == 1)
    }

    @Test func startResponseTwiceIsAnError() {
        let (sent, errors) = run { _, start in
            try start("200 OK", [])
            try start("201 Created", [])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("start_response called a second time"))
    }

    @Test func missingStartResponseIsAnError() {
        let (sent, _) = run { _, _ in ["x"] }
        #expect(sent.head?.status.code == 500)
    }

    @Test func excInfoBeforeAnythingWasSentReplacesTheResponse() {
        struct Failure: Error {}
        let (sent, _) = run { _, start in
            try start("200 OK", [("X-First", "1")])
            try start("503 Service Unavailable", [("X-Second", "1")], excInfo: Failure())
            return ["sorry"]
        }
        #expect(sent.head?.status.code == 503)
        #expect(sent.header("X-First") == nil)
        #expect(sent.header("X-Second") == "1")
        #expect(sent.body == "sorry")
    }

    @Test func excInfoAfterWriteRethrows() {
        struct Failure: Error {}
        nonisolated(unsafe) var rethrown = false
        let (sent, _) = run { _, start in
            let write = try start("200 OK", [])
            try write("data")
            do {
                try start("500 Oops", [], excInfo: Failure())
            } catch is Failure {
                rethrown = true
            }
            return [String]()
        }
        #expect(rethrown)
        #expect(sent.head?.status.code == 200)
        #expect(sent.body == "data")
    }

    @Test func writeSendsBeforeTheReturnedBody() {
        let (sent, _) = run { _, start in
            let write = try start("200 OK", [])
            try write("one ")
            try write(Array("two ".utf8))
            return ["three"]
        }
        #expect(sent.body == "one two three")
        #expect(sent.head?.framing == .chunked)
    }

    /// A `write` reaches the application only from start_response, so the
    /// public API cannot call it first; the record behind it still refuses.
    @Test func writeBeforeStartResponseIsAnError() {
        let state = ResponseState()
        #expect(throws: GatewayError.writeBeforeStartResponse) { try state.write(Array("early".utf8)) }
        #expect(state.written.isEmpty && !state.headersSent)
        #expect(throws: Never.self) { try state.start("200 OK", [], nil) }
        #expect(throws: Never.self) { try state.write(Array("late".utf8)) }
        #expect(state.written == [Array("late".utf8)])
    }

    @Test(arguments: ["Connection", "keep-alive", "Transfer-Encoding", "Upgrade", "TE", "Proxy-Authenticate"])
    func hopByHopHeadersAreRefused(name: String) {
        let (sent, errors) = run { _, start in
            try start("200 OK", [(name, "x")])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(errors.text.contains("hop-by-hop"))
    }

    @Test(arguments: ["200", "20 OK", "abc OK", "200OK", "200 ", "099 Low", "600 High", "200 O\r\nK", "1000 OK"])
    func invalidStatusLinesAreRefused(status: String) {
        let (sent, _) = run { _, start in
            try start(status, [])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
    }

    @Test(arguments: [("X-Split", "a\r\nInjected: 1"), ("X-Nul", "a\u{0}b"), ("Bad Name", "v"), ("", "v"), ("X:Y", "v")])
    func invalidHeadersAreRefused(header: (String, String)) {
        let (sent, _) = run { _, start in
            try start("200 OK", [header])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
        #expect(sent.header("Injected") == nil)
    }

    @Test func dateAndServerAreAddedUnlessSet() {
        let (plain, _) = run { _, start in
            try start("200 OK", [])
            return ["x"]
        }
        #expect(plain.header("Server") == "Test/1")
        #expect(plain.header("Date")?.hasSuffix(" GMT") == true)
        let (own, _) = run { _, start in
            try start("200 OK", [("Server", "Mine"), ("Date", "Thu, 01 Jan 1970 00:00:00 GMT")])
            return ["x"]
        }
        #expect(own.header("Server") == "Mine")
        #expect(own.headCount("Date") == 1)
    }

    @Test func headersKeepOrderAndRepeats() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Set-Cookie", "a=1"), ("X-B", "2"), ("Set-Cookie", "b=2")])
            return ["x"]
        }
        let names = sent.head!.headers.map(\.0)
        #expect(Array(names.prefix(3)) == ["Set-Cookie", "X-B", "Set-Cookie"])
    }

    @Test func declaredLengthThatDoesNotMatchAnInMemoryBodyIs500() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Content-Length", "10")])
            return ["short"]
        }
        #expect(sent.head?.status.code == 500)
    }

    @Test func streamShorterThanItsContentLengthAborts() {
        let (sent, errors) = run { _, start in
            try start("200 OK", [("Content-Length", "10")])
            return StreamBody(["short"])
        }
        #expect(sent.aborted)
        #expect(errors.text.contains("5 of the 10 bytes"))
    }

    @Test func streamLongerThanItsContentLengthIsCut() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Content-Length", "3")])
            return StreamBody(["ab", "cd"])
        }
        #expect(sent.body == "abc")
        #expect(sent.finished)
    }

    @Test func invalidContentLengthIs500() {
        let (sent, _) = run { _, start in
            try start("200 OK", [("Content-Length", "-1")])
            return ["x"]
        }
        #expect(sent.head?.status.code == 500)
    }

    /// Content-Length given twice: once on the wire when the values agree,
    /// a 500 when they differ (a client could not tell where the body ends).
    @Test func aRepeatedContentLengthGoesOutOnceOrIs500() {
        let (same, _) = run { _, start in
            try start("200 OK", [("Content-Length", "1"), ("X-A", "a"), ("content-length", "1")])
            return ["x"]
        }
        #expect(same.head?.status.code == 200)
        #expect(same.head?.headers.filter { $0.0.lowercased() == "content-length" }.map(\.1) == ["1"])
        #expect(same.head?.applicationHeaders.map(\.0) == ["Content-Length", "X-A"])
        #expect(same.body == "x")
        for streamed in [false, true] {
            let (differing, _) = run { _, start in
                try start("200 OK", [("Content-Length", "1"), ("Content-Length", "5")])
                return streamed ? StreamBody(["x"]) : ["x"]
            }
            #expect(differing.head?.status.code == 500)
        }
    }

    /// HEAD answers as GET would: a held body that contradicts its
    /// Content-Length is a 500 for both; an empty body for HEAD is fine.
    @Test func headAndGetAgreeOnAContradictedContentLength() {
        for method in ["GET", "HEAD"] {
            let (wrong, _) = run({ _, start in
                try start("200 OK", [("Content-Length", "5")])
                return ["x"]
            }, method: method)
            #expect(wrong.head?.status.code == 500, "\(method)")
        }
        let (emptyForHead, _) = run({ _, start in
            try start("200 OK", [("Content-Length", "5")])
            return [String]()
        }, method: "HEAD")
        #expect(emptyForHead.head?.status.code == 200)
        #expect(emptyForHead.header("Content-Length") == "5")
    }

    @Test func headersWaitForTheFirstNonEmptyChunk() {
        // A generator may call start_response lazily, on its first iteration.
        let (sent, _) = run { _, start in
            var step = 0
            return StreamBody(next: {
                step += 1
                if step == 1 { try start("202 Accepted", []); return [] }
                return step == 2 ? Array("late".utf8) : nil
            })
        }
        #expect(sent.head?.status.code == 202)
        #expect(sent.body == "late")
    }
}

/// A stream that yields "partial" then throws, and notes close().
final class StreamFailing: @unchecked Sendable {
    var closed = false
    var stream: StreamBody {
        var step = 0
        return StreamBody(next: {
            step += 1
            if step == 1 { return Array("partial".utf8) }
            throw TrackedBody.Boom()
        }, onClose: { self.closed = true })
    }
}

extension RecordingTransport {
    func headCount(_ name: String) -> Int {
        head?.headers.filter { $0.0.lowercased() == name.lowercased() }.count ?? 0
    }
}
