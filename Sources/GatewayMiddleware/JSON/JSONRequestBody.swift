import Gateway

extension Environ {
    /// Reads the request body and decodes it as `type`, refusing bad input
    /// with a ``JSONBodyError`` (an ``HTTPError``, which ``Router`` and
    /// ``catchErrors(debug:)`` answer): 415 unless `Content-Type` is
    /// `application/json` or a `+json` type (parameters such as `charset`
    /// aside), 413 past `maxBytes` (1 MiB by default; a declared
    /// `Content-Length` over it is refused before anything is read), 400 for
    /// malformed JSON or a body of another shape (the message names the field).
    ///
    /// ```swift
    /// struct ItemInput: Decodable { var name: String; var quantity: Int }
    ///
    /// router.post("/items") { environ, startResponse in
    ///     let input = try environ.decodeJSON(ItemInput.self)
    ///     return try startResponse.json(store.create(input), status: .created)
    /// }
    /// ```
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, maxBytes: Int = 1 << 20) throws -> Value {
        try checkJSONHead(maxBytes: maxBytes)
        // One byte past the limit tells a body over it (chunked bodies declare no length).
        let body = try input.read(maxBytes + 1)
        return try Self.decodedJSON(type, from: body, maxBytes: maxBytes)
    }

    /// `decodeJSON(_:maxBytes:)` for an async application: the body is
    /// awaited as it arrives, with the same checks and errors.
    ///
    /// ```swift
    /// let create: AsyncApplication = { environ, startResponse in
    ///     let input = try await environ.decodeJSON(ItemInput.self)
    ///     return try startResponse.json(await store.create(input), status: .created)
    /// }
    /// ```
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, maxBytes: Int = 1 << 20) async throws -> Value {
        try checkJSONHead(maxBytes: maxBytes)
        let body = try await input.read(maxBytes + 1)
        return try Self.decodedJSON(type, from: body, maxBytes: maxBytes)
    }

    /// The checks made before the body is read: its type and declared length.
    private func checkJSONHead(maxBytes: Int) throws {
        let contentType = self["CONTENT_TYPE"] ?? ""
        guard Self.isJSON(contentType) else { throw JSONBodyError.unsupportedMediaType(contentType) }
        if let declared = self["CONTENT_LENGTH"].flatMap(Int.init), declared > maxBytes {
            throw JSONBodyError.tooLarge(maxBytes)
        }
    }

    private static func decodedJSON<Value: Decodable>(_ type: Value.Type, from body: [UInt8], maxBytes: Int) throws -> Value {
        guard body.count <= maxBytes else { throw JSONBodyError.tooLarge(maxBytes) }
        return try JSONCoding.decode(type, from: body)
    }

    /// `application/json` or `type/subtype+json`, any case, parameters ignored.
    private static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = mediaType.lowercased().filter { $0 != " " && $0 != "\t" }
        return trimmed == "application/json" || (trimmed.contains("/") && trimmed.hasSuffix("+json"))
    }
}
