import Gateway

extension StartResponse {
    /// Starts a JSON response with `value` encoded (sorted keys, a final
    /// newline) and returns the body: `Content-Type: application/json` (unless
    /// `headers` names another, such as `application/problem+json`) and its
    /// `Content-Length`. A HEAD request gets the same headers and no body.
    ///
    /// ```swift
    /// router.get("/items/:id") { environ, startResponse in
    ///     let id = try environ.pathParameters.require("id", as: Int.self)
    ///     guard let item = store.get(id) else { return try startResponse.json(["error": "no such item"], status: .notFound) }
    ///     return try startResponse.json(item)
    /// }
    /// ```
    public func json(_ value: some Encodable, status: ResponseStatus = .ok,
                     headers: [(String, String)] = []) throws -> [[UInt8]] {
        let body = try JSONCoding.encode(value)
        var head = headers.filter { $0.0.lowercased() != "content-length" }
        if !head.contains(where: { $0.0.lowercased() == "content-type" }) {
            head.insert(("Content-Type", "application/json"), at: 0)
        }
        head.append(("Content-Length", String(body.count)))
        try self(status, head)
        return [body]
    }
}
