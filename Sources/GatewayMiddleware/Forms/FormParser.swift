import Gateway

/// Reads the form of a request: the query string for GET and HEAD, else the
/// body as `application/x-www-form-urlencoded` or `multipart/form-data`
/// (streamed, files past ``FormLimits/memoryThreshold`` go to temporary
/// files). Throws ``FormError``: 413 past a limit, 400 when malformed, 415
/// for another content type.
///
/// ```swift
/// let form = try parseForm(environ)
/// defer { form.close() }
/// let comment = form["comment"] ?? ""
/// ```
public func parseForm(_ environ: Environ, limits: FormLimits = FormLimits()) throws -> Form {
    switch try formSource(environ, limits: limits) {
    case .done(let form):
        return form
    case .urlEncoded:
        let body = try environ.input.read(min(limits.maxBodyBytes, Int.max - 1) + 1)
        return try urlEncodedForm(body, limits: limits)
    case .multipart(var parser):
        let input = environ.input
        return try parser.parse { try input.read(64 * 1024) }
    }
}

/// `parseForm(_:limits:)` for an async application: the body is awaited
/// as it arrives (a multipart body parsed block by block, files written out
/// while the rest is still on its way), never read with a blocking call.
///
/// ```swift
/// let upload: AsyncApplication = { environ, startResponse in
///     let form = try await parseForm(environ)
///     defer { form.close() }
///     try startResponse("200 OK", [("Content-Type", "text/plain")])
///     return ["\(form.files.count) files\n"]
/// }
/// ```
public func parseForm(_ environ: Environ, limits: FormLimits = FormLimits()) async throws -> Form {
    switch try formSource(environ, limits: limits) {
    case .done(let form):
        return form
    case .urlEncoded:
        let body = try await environ.input.read(min(limits.maxBodyBytes, Int.max - 1) + 1)
        return try urlEncodedForm(body, limits: limits)
    case .multipart(var parser):
        var chunks = environ.input.chunks.makeAsyncIterator()
        return try await parser.parse { try await chunks.next() ?? [] }
    }
}

/// Where a request's form comes from: decided from its head, before any
/// of its body is read.
private enum FormSource {
    /// The query string's form (GET, HEAD).
    case done(Form)
    /// An `application/x-www-form-urlencoded` body.
    case urlEncoded
    /// A `multipart/form-data` body, for this parser.
    case multipart(MultipartParser)
}

private func formSource(_ environ: Environ, limits: FormLimits) throws -> FormSource {
    let method = environ["REQUEST_METHOD"] ?? "GET"
    if method == "GET" || method == "HEAD" {
        return .done(Form(fields: parseQuery(environ["QUERY_STRING"] ?? "")))
    }
    if let declared = environ["CONTENT_LENGTH"].flatMap({ Int($0) }), declared > limits.maxBodyBytes {
        throw FormError.tooLarge("body over \(limits.maxBodyBytes) bytes")
    }
    let (type, parameters) = parseHeaderParameters(environ["CONTENT_TYPE"] ?? "")
    switch type.lowercased() {
    case "application/x-www-form-urlencoded":
        return .urlEncoded
    case "multipart/form-data":
        guard let boundary = parameters["boundary"] else { throw FormError.malformed("multipart without a boundary") }
        return .multipart(try MultipartParser(boundary: boundary, limits: limits))
    default:
        throw FormError.unsupportedMediaType(type.isEmpty ? "no content type" : type)
    }
}

/// The fields of an urlencoded body read up to one byte past the limit.
private func urlEncodedForm(_ body: [UInt8], limits: FormLimits) throws -> Form {
    guard body.count <= limits.maxBodyBytes else { throw FormError.tooLarge("body over \(limits.maxBodyBytes) bytes") }
    let fields = parseQuery(String(decoding: body, as: UTF8.self))
    guard fields.count <= limits.maxParts else { throw FormError.tooLarge("more than \(limits.maxParts) fields") }
    if let long = fields.first(where: { $0.value.utf8.count > limits.maxFieldBytes }) {
        throw FormError.tooLarge("field \(long.name) over \(limits.maxFieldBytes) bytes")
    }
    return Form(fields: fields)
}
