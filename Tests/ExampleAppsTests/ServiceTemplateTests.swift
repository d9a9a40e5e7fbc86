// Tests/MyServiceTests/HelloTests.swift
@testable import ServiceEvent
import GatewayTesting
import Testing

@Test func helloGreetsWhoeverTheQueryNames() throws {
    let client = TestClient(hello)
    #expect(try client.get("/?ada").text == "Hello, ada!\n")
    let response = try client.get("/")
    #expect(response.status == 200)
    #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
    #expect(response.text == "Hello, world!\n")
}
