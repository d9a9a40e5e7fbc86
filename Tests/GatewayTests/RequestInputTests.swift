import Gateway
import Testing

@Suite("RequestInput (wsgi.input)")
struct RequestInputTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func readsBySizeLineAndWhole() throws {
        let input = RequestInput(Array("first\nsecond\nthird".utf8))
        #expect(text(try input.read(3)) == "fir")
        #expect(text(try input.readLine()) == "st\n")
        #expect(text(try input.readLine(limit: 3)) == "sec")
        #expect(text(try input.readLine()) == "ond\n")
        #expect(text(try input.read()) == "third")
        #expect(try input.read().isEmpty)
        #expect(try input.read(10).isEmpty)
        #expect(try input.readLine().isEmpty)
    }

    @Test func iteratesLines() {
        let input = RequestInput(Array("a\nb\n\nc".utf8))
        #expect(input.map { text($0) } == ["a\n", "b\n", "\n", "c"])
    }

    @Test func readLinesAndZeroReads() throws {
        let input = RequestInput(Array("x\ny".utf8))
        #expect(try input.read(0).isEmpty)
        #expect(try input.readLines().map { text($0) } == ["x\n", "y"])
    }

    @Test func pullsFromASourceAsNeeded() throws {
        var parts = ["ab", "c\nde", "f"].map { Array($0.utf8) }
        var asked: [Int] = []
        let input = RequestInput(source: { wanted in
            asked.append(wanted)
            return parts.isEmpty ? [] : parts.removeFirst()
        })
        #expect(text(try input.readLine()) == "abc\n")
        #expect(text(try input.read(2)) == "de")
        #expect(text(try input.read()) == "f")
        #expect(try input.read().isEmpty)
        #expect(!asked.isEmpty)
    }
}
