import Gateway
@testable import GatewayMiddleware
import GatewayTestSupport
import Testing

/// Random input for the parsers that read what clients send: they may
/// refuse it, never crash or loop. Each test prints its seed and names it
/// in its failures with the input (`GATEWAY_FUZZ_SEED=… swift test
/// --filter FuzzTests` replays the rounds).
@Suite("parser fuzzing")
struct FuzzTests {
    @Test func acceptEncodingNeverFails() {
        var generator = SeededGenerator.forFuzzing()
        let alphabet = Array("gzip;q=0.,1 *identity\t\"\u{0}é".unicodeScalars)
        for _ in 0..<3000 {
            let header = String(String.UnicodeScalarView((0..<Int.random(in: 0...40, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }))
            let parsed = AcceptEncoding(header)
            for coding in ["gzip", "identity", "br"] {
                #expect((0...1).contains(parsed.quality(of: coding)), "\(generator.replay): \(escapedBytes(header))")
            }
        }
    }

    @Test func mutatedMultipartBodiesParseOrAreRefused() {
        var generator = SeededGenerator.forFuzzing()
        var body = MultipartBody()
        body.boundary = "zz"
        body.field("a", "one\r\ntwo")
        body.file("f", filename: "x.bin", Array("--zz\r\n\r\n--z".utf8))
        let valid = body.finished()
        let noise = Array("\r\n-z\"; =:".utf8)
        var limits = FormLimits()
        limits.memoryThreshold = 8   // exercise the temporary files too
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = noise.randomElement(using: &generator)!
                case 1: bytes.insert(noise.randomElement(using: &generator)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            let environ = Environ(variables: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": body.contentType], input: RequestInput(bytes))
            do {
                let form = try parseForm(environ, limits: limits)
                form.close()
            } catch let error as FormError {
                #expect([400, 413].contains(error.status), "\(generator.replay): \(error) for \(escapedBytes(bytes))")
            } catch {
                Issue.record("\(generator.replay): unexpected \(error) for \(escapedBytes(bytes))")
            }
        }
    }

    @Test func rangeHeadersNeverFail() {
        var generator = SeededGenerator.forFuzzing()
        let alphabet = Array("bytes=-0123456789, ".unicodeScalars)
        for _ in 0..<3000 {
            let header = String(String.UnicodeScalarView((0..<Int.random(in: 0...20, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }))
            let length = Int.random(in: 0...100, using: &generator)
            if case .satisfiable(let range) = ByteRange.parse(header, length: length) {
                #expect(range.lowerBound >= 0 && range.upperBound < length,
                        "\(generator.replay): \(escapedBytes(header)) of \(length) bytes gave \(range)")
            }
        }
    }
}
