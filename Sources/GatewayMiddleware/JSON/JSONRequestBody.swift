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
        let contentType = self["CONTENT_TYPE"] ?? ""
        guard Self.isJSON(contentType) else { throw JSONBodyError.unsupportedMediaType(contentType) }
        if let declared = self["CONTENT_LENGTH"].flatMap(Int.init), declared > maxBytes {
            throw JSONBodyError.tooLarge(maxBytes)
        }
        // One byte past the limit tells a body over it (chunked bodies declare no length).
        let body = try input.read(maxBytes + 1)
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
