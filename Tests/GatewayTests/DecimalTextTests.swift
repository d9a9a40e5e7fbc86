@testable import Gateway
import Testing

@Suite("DecimalText")
struct DecimalTextTests {
    @Test(arguments: [0, 7, 9, 10, 99, 100, 1_234_567_890, Int.max, -1, Int.min])
    func readsAsTheStandardLibraryWritesIt(value: Int) {
        #expect(DecimalText.of(value) == String(value))
    }
}
