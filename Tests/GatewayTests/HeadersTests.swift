import Gateway
import Testing

@Suite("Headers (wsgiref.headers)")
struct HeadersTests {
    @Test func mappingInterface() {
        #expect(Headers().count == 0)
        let one = Headers([("x", "y")])
        #expect(one.count == 1)
        #expect(one.keys == ["x"])
        #expect(one.values == ["y"])
        #expect(one.items.map { [$0.0, $0.1] } == [["x", "y"]])

        var headers = Headers()
        headers.remove("foo")  // absent: no error
        headers["Foo"] = "bar"
        for name in ["foo", "Foo", "FOO"] {
            #expect(headers.contains(name))
            #expect(headers[name] == "bar")
            #expect(headers.get(name) == "bar")
            #expect(headers.getAll(name) == ["bar"])
        }
        #expect(!headers.contains("bar"))
        #expect(headers.getAll("bar").isEmpty)

        headers["foo"] = "baz"
        #expect(headers["FOO"] == "baz")
        #expect(headers.getAll("foo") == ["baz"])
        #expect(headers.count == 1)
        #expect(headers.get("foo", default: "whee") == "baz")
        #expect(headers.get("zoo", default: "whee") == "whee")
        #expect(headers.setDefault("foo", "whee") == "baz")
        #expect(headers.setDefault("zoo", "whee") == "whee")
        #expect(headers["foo"] == "baz")
        #expect(headers["zoo"] == "whee")
        headers["zoo"] = nil
        #expect(!headers.contains("zoo"))
    }

    @Test func removeTakesEveryRepeat() {
        var headers: Headers = [("Set-Cookie", "a=1"), ("X", "1"), ("set-cookie", "b=2")]
        #expect(headers.getAll("SET-COOKIE") == ["a=1", "b=2"])
        headers.remove("Set-Cookie")
        #expect(headers.keys == ["X"])
    }

    @Test func serializedFormAndParameters() {
        var headers = Headers()
        #expect(headers.description == "\r\n")
        headers.addHeader("foo", "bar", parameters: ["baz": "spam"])
        #expect(headers["foo"] == "bar; baz=\"spam\"")
        #expect(headers.description == "foo: bar; baz=\"spam\"\r\n\r\n")
        headers.addHeader("Foo", "bar", parameters: ["cheese": nil])
        #expect(headers.getAll("foo") == ["bar; baz=\"spam\"", "bar; cheese"])
        #expect(headers.description == "foo: bar; baz=\"spam\"\r\nFoo: bar; cheese\r\n\r\n")
    }

    @Test func parameterDetails() {
        var headers = Headers()
        headers.addHeader("Content-Disposition", "attachment", parameters: ["file_name": "a \"b\".txt"])
        #expect(headers["Content-Disposition"] == "attachment; file-name=\"a \\\"b\\\".txt\"")
        headers.addHeader("X-Only-Params", nil, parameters: ["a": "1", "b": nil])
        #expect(headers["X-Only-Params"] == "a=\"1\"; b")
        headers.addHeader("Content-Disposition", "attachment", parameters: ["filename": "résumé.pdf"])
        #expect(headers.getAll("Content-Disposition").last == "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")
    }

    @Test func orderIsKeptAndItemsFeedStartResponse() {
        let headers: Headers = [("A", "1"), ("B", "2"), ("A", "3")]
        #expect(headers.map(\.0) == ["A", "B", "A"])
        #expect(headers == Headers([("A", "1"), ("B", "2"), ("A", "3")]))
        #expect(headers != Headers([("A", "1")]))
    }
}
