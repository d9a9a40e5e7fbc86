import Gateway
import GatewayMiddleware
import GatewayTesting
import Testing

@Suite("PathParameters")
struct PathParametersTests {
    @Test func readByNameAndConverted() throws {
        let parameters = PathParameters([("user", "ada"), ("id", "42")])
        #expect(parameters["user"] == "ada")
        #expect(parameters["nothing"] == nil)
        #expect(try parameters.require("id") == "42")
        #expect(try parameters.require("id", as: Int.self) == 42)
        #expect(try parameters.require("id", as: Double.self) == 42.0)
    }

    @Test func aValueThatDoesNotConvertIs404() throws {
        let parameters = PathParameters([("id", "abc")])
        #expect(throws: PathParameterError(name: "id", value: "abc")) { try parameters.require("id", as: Int.self) }
        let error = PathParameterError(name: "id", value: "abc")
        #expect(error.status == 404)
        #expect(error.message == "no such resource (path parameter 'id')")
    }

    @Test func aMissingNameIsABugNotAClientError() throws {
        let error = #expect(throws: PathParameters.MissingParameter.self) { try PathParameters().require("id") }
        #expect(error?.description == "the route has no path parameter 'id'")
        #expect(!((error as (any Error)?) is any HTTPError))
    }

    @Test func theEnvironCarriesThemUnderTheDocumentedKey() {
        var environ = Environ()
        #expect(environ.pathParameters == PathParameters())
        environ.pathParameters = PathParameters([("id", "7")])
        #expect(environ.extras[pathParametersKey] as? PathParameters == PathParameters([("id", "7")]))
        #expect(pathParametersKey == "gateway.route.parameters")
    }

    @Test func throughARouterAConversionFailureIsA404() throws {
        var router = Router()
        router.get("/items/:id") { environ, startResponse in
            let id = try environ.pathParameters.require("id", as: Int.self)
            try startResponse(.ok, [])
            return ["item \(id)"]
        }
        let client = TestClient(router.application)
        #expect(try client.get("/items/5").text == "item 5")
        let response = try client.get("/items/five")
        #expect(response.status == 404)
        #expect(response.text == "no such resource (path parameter 'id')\n")
    }
}
