import Gateway
@testable import GatewayProbe
import GatewayTesting
import Testing

/// The probe's routes, in-process (the conformance suite runs the same
/// routes over every backend): what each answers, as the Python reference
/// in shared/reference/probe_app.py does.
@Suite("probeApp")
struct ProbeAppTests {
    let client = TestClient(probeApp)

    @Test func hello() throws {
        let response = try client.get("/hello")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("Content-Length") == "13")
        #expect(response.text == "Hello, World!")
    }

    @Test func uploadDigestsTheBodyAndOnlyForPOST() throws {
        let posted = try client.post("/upload", body: .bytes(Array("abc".utf8)))
        #expect(posted.header("Content-Type") == "application/json")
        #expect(posted.text == "{\"length\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}")
        let got = try client.get("/upload")
        #expect(got.status == 405)
        #expect(got.header("Allow") == "POST")
    }

    @Test func environReportsTheRequestAsJSON() throws {
        let response = try client.get("/environ/a%20b?x=1")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.text.contains("\"PATH_INFO\": \"/environ/a b\""))
        #expect(response.text.contains("\"QUERY_STRING\": \"x=1\""))
        #expect(response.text.contains("\"body_length\": 0"))
        #expect(response.text.contains("\"wsgi.version\": [1, 0]"))
    }

    @Test func streamAndWriteSendWhatTheyAreAsked() throws {
        #expect(try client.get("/stream?chunks=3&size=4").text == String(repeating: "x", count: 12))
        #expect(try client.get("/write?chunks=2").text == "line 0\nline 1\n")
    }

    @Test func statusIsClampedAndBodylessWhereHTTPSaysSo() throws {
        let teapot = try client.get("/status?code=418")
        #expect(teapot.status == 418)
        #expect(teapot.text == "status 418\n")
        let none = try client.get("/status?code=204")
        #expect(none.status == 204)
        #expect(none.body.isEmpty)
        #expect(try client.get("/status?code=999").status == 599)
        #expect(try client.get("/status?code=oops").status == 200)
    }

    @Test func headersAddsNumberedHeadersAndTwoCookies() throws {
        let response = try client.get("/headers?n=2")
        #expect(response.header("X-Test-0") == "value-0")
        #expect(response.header("X-Test-1") == "value-1")
        #expect(response.header("X-Test-2") == nil)
        #expect(response.headerValues("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"])
    }

    @Test func errorsAreThrownAndUnknownRoutesAre404() throws {
        #expect(throws: ProbeError.self) { try client.get("/error") }
        let missing = try client.get("/nope")
        #expect(missing.status == 404)
        #expect(missing.text == "not found\n")
    }

    @Test func queryParametersTakeTheFirstValueAndClampNumbers() {
        let query = QueryParameters("n=5&n=6&big=99999&word=a+b%21&bad=x")
        #expect(query.int("n", default: 0, in: 0...10) == 5)
        #expect(query.int("big", default: 0, in: 0...100) == 100)
        #expect(query.int("bad", default: 7, in: 0...100) == 7)
        #expect(query.int("absent", default: 3, in: 0...100) == 3)
    }
}

/// The probe's own SHA-256 (it answers digests without Foundation or a
/// crypto library): the FIPS 180-2 test vectors, and one digest from many updates.
@Suite("SHA256")
struct SHA256Tests {
    static func digest(_ text: String) -> String {
        var hash = SHA256()
        hash.update(Array(text.utf8))
        return hash.hexDigest()
    }

    @Test func standardVectors() {
        #expect(Self.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func updatesInPiecesGiveTheDigestOfTheWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var whole = SHA256()
        whole.update(bytes)
        var pieces = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 200, 607] {  // across and on the 64-byte block edges; 1000 in all
            pieces.update(Array(bytes[start..<start + size]))
            start += size
        }
        #expect(start == bytes.count)
        #expect(pieces.hexDigest() == whole.hexDigest())
    }
}
