@testable import GatewayMiddleware
import Testing

@Suite("RoutePattern")
struct RoutePatternTests {
    @Test func pathsSplitIntoSegmentsAfterTheLeadingSlash() {
        #expect(RoutePattern.split("/a/b") == ["a", "b"])
        #expect(RoutePattern.split("/") == [""])
        #expect(RoutePattern.split("") == [""])
        #expect(RoutePattern.split("/a/") == ["a", ""])
        #expect(RoutePattern.split("//a") == ["", "a"])
        #expect(RoutePattern.split("a/b").isEmpty)
    }

    @Test func routesMatchWholeAndMountsMatchPrefixes() {
        let route = RoutePattern("/items/:id", forMount: false)
        #expect(route.segments == [.literal("items"), .parameter("id")])
        #expect(route.match(["items", "3"]).map { $0.map { "\($0.0)=\($0.1)" } } == ["id=3"])
        #expect(route.match(["items", ""]) == nil)       // a parameter takes a non-empty segment
        #expect(route.match(["items", "3", "x"]) == nil)
        #expect(route.match(["Items", "3"]) == nil)      // literals are case-sensitive
        let mount = RoutePattern("/static/", forMount: true)
        #expect(mount.segments == [.literal("static")])
        #expect(mount.matchPrefix(["static", "a.css"])?.isEmpty == true)
        #expect(mount.matchPrefix(["staticx"]) == nil)
        #expect(RoutePattern("/", forMount: true).segments.isEmpty)
        #expect(RoutePattern("", forMount: true).segments.isEmpty)
    }

    @Test func aLiteralIsMoreSpecificThanAParameterWhereTheyFirstDiffer() {
        let literal = RoutePattern("/items/new", forMount: false)
        let parameter = RoutePattern("/items/:id", forMount: false)
        let deep = RoutePattern("/:kind/new", forMount: false)
        #expect(literal.isMoreSpecific(than: parameter))
        #expect(!parameter.isMoreSpecific(than: literal))
        #expect(parameter.isMoreSpecific(than: deep))     // the first segment decides
        #expect(!literal.isMoreSpecific(than: literal))
    }

    @Test func malformedPatternsStopTheProgram() async {
        await #expect(processExitsWith: .failure) { _ = RoutePattern("items", forMount: false) }
        await #expect(processExitsWith: .failure) { _ = RoutePattern("/a/:", forMount: false) }
        await #expect(processExitsWith: .failure) { _ = RoutePattern("/:id/:id", forMount: false) }
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.get("/a") { _, _ in [String]() }
            router.get("/a") { _, _ in [String]() }
        }
    }
}
