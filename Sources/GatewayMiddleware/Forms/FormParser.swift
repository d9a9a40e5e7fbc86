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
    let method = environ["REQUEST_METHOD"] ?? "GET"
    if method == "GET" || method == "HEAD" {
        return Form(fields: parseQuery(environ["QUERY_STRING"] ?? ""))
    }
    if let declared = environ["CONTENT_LENGTH"].flatMap({ Int($0) }), declared > limits.maxBodyBytes {
        throw FormError.tooLarge("body over \(limits.maxBodyBytes) bytes")
    }
    let (type, parameters) = parseHeaderParameters(environ["CONTENT_TYPE"] ?? "")
    switch type.lowercased() {
    case "application/x-www-form-urlencoded":
        let body = try environ.input.read(min(limits.maxBodyBytes, Int.max - 1) + 1)
        guard body.count <= limits.maxBodyBytes else { throw FormError.tooLarge("body over \(limits.maxBodyBytes) bytes") }
        let fields = parseQuery(String(decoding: body, as: UTF8.self))
        guard fields.count <= limits.maxParts else { throw FormError.tooLarge("more than \(limits.maxParts) fields") }
        if let long = fields.first(where: { $0.value.utf8.count > limits.maxFieldBytes }) {
            throw FormError.tooLarge("field \(long.name) over \(limits.maxFieldBytes) bytes")
        }
        return Form(fields: fields)
    case "multipart/form-data":
        guard let boundary = parameters["boundary"] else { throw FormError.malformed("multipart without a boundary") }
        var parser = try MultipartParser(boundary: boundary, limits: limits)
        let input = environ.input
        return try parser.parse { try input.read(64 * 1024) }
    default:
        throw FormError.unsupportedMediaType(type.isEmpty ? "no content type" : type)
    }
}
