/// Reads a `multipart/form-data` body (RFC 7578) as a stream: the body is
/// pulled in blocks, each part's data goes straight to its field or file,
/// and every limit of ``FormLimits`` is checked as bytes arrive.
struct MultipartParser {
    private let limits: FormLimits
    private var scanner: BoundaryScanner
    private var fields: [(name: String, value: String)] = []
    private var files: [UploadedFile] = []
    private var parts = 0

    init(boundary: String, limits: FormLimits) throws {
        let bytes = Array(boundary.utf8)
        guard !bytes.isEmpty else { throw FormError.malformed("empty boundary") }
        guard bytes.count <= limits.maxBoundaryLength else { throw FormError.tooLarge("boundary longer than \(limits.maxBoundaryLength)") }
        // RFC 2046 bchars; a space may not end it.
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        guard bytes.allSatisfy(allowed.contains), bytes.last != UInt8(ascii: " ") else {
            throw FormError.malformed("boundary has characters RFC 2046 forbids")
        }
        self.limits = limits
        self.scanner = BoundaryScanner(boundary: bytes)
    }

    /// What the parser expects next.
    private enum State {
        case preamble
        /// After a delimiter: `--` (the end) or padding and CRLF.
        case afterDelimiter
        case headers
        case body(Sink)
        case epilogue
    }

    /// Where a part's data goes.
    private enum Sink {
        case field(name: String, bytes: [UInt8])
        case file(UploadedFile)
    }

    /// Parses everything `read` returns (blocks; empty at the end).
    mutating func parse(read: () throws -> [UInt8]) throws -> Form {
        do {
            while true {
                let block = try read()
                try feed(block)
                if block.isEmpty { return Form(fields: fields, files: files) }
            }
        } catch {
            for file in files { file.close() }
            throw error
        }
    }

    /// ``parse(read:)`` with each block awaited (an async application's body).
    mutating func parse(read: () async throws -> [UInt8]) async throws -> Form {
        do {
            while true {
                let block = try await read()
                try feed(block)
                if block.isEmpty { return Form(fields: fields, files: files) }
            }
        } catch {
            for file in files { file.close() }
            throw error
        }
    }

    // The parse under way: bytes not parsed yet and what is expected next.
    // The first delimiter may open the body without a CRLF before it:
    // scanning starts as if one had been seen.
    private var pending: [UInt8] = Array("\r\n".utf8)
    private var state = State.preamble
    private var total = 0

    /// Takes the next block of the body (empty: the end) and parses as far
    /// as the bytes at hand go.
    private mutating func feed(_ block: [UInt8]) throws {
        if !block.isEmpty {
            total += block.count
            guard total <= limits.maxBodyBytes else { throw FormError.tooLarge("body over \(limits.maxBodyBytes) bytes") }
            pending += block
        }
        while !(pending.isEmpty || needsMore(state, pending)) {
            try step()
        }
        if block.isEmpty {
            guard case .epilogue = state else { throw FormError.malformed("body ends before the closing boundary") }
        }
    }

    /// Moves the parse on by one step with the bytes pending.
    private mutating func step() throws {
        switch state {
        case .preamble, .body:
            let (data, end) = scanner.scan(pending[...])
            if case .body(var sink) = state {
                try deliver(data, to: &sink)
                state = .body(sink)
                if end != nil { try finish(sink) }
            }
            if let end {
                pending.removeFirst(end)
                state = .afterDelimiter
            } else {
                pending = []
            }
        case .afterDelimiter:
            if pending.starts(with: Array("--".utf8)) {
                state = .epilogue
                pending = []
                return
            }
            let padding = pending.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
            guard pending.count >= padding + 2 else {
                if padding > 1024 { throw FormError.malformed("padding after a boundary") }
                return  // needsMore asks for more bytes
            }
            guard pending[padding] == 13, pending[padding + 1] == 10 else {
                throw FormError.malformed("no CRLF after a boundary")
            }
            pending.removeFirst(padding + 2)
            parts += 1
            guard parts <= limits.maxParts else { throw FormError.tooLarge("more than \(limits.maxParts) parts") }
            state = .headers
        case .headers:
            guard let end = headerEnd(pending) else {
                guard pending.count <= limits.maxPartHeaderBytes else {
                    throw FormError.tooLarge("part headers over \(limits.maxPartHeaderBytes) bytes")
                }
                return
            }
            guard end <= limits.maxPartHeaderBytes else {
                throw FormError.tooLarge("part headers over \(limits.maxPartHeaderBytes) bytes")
            }
            let sink = try makeSink(headers: Array(pending[0..<end]))
            pending.removeFirst(end)
            state = .body(sink)
        case .epilogue:
            pending = []
        }
    }

    /// True when the state cannot move on with the bytes at hand.
    private func needsMore(_ state: State, _ pending: [UInt8]) -> Bool {
        switch state {
        case .afterDelimiter:
            if pending.count < 2 { return true }
            if pending.starts(with: Array("--".utf8)) { return false }
            let padding = pending.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
            return pending.count < padding + 2 && padding <= 1024
        case .headers:
            // Past the limit the switch refuses them; no need to read on.
            return headerEnd(pending) == nil && pending.count <= limits.maxPartHeaderBytes
        default:
            return false
        }
    }

    /// The index just past the empty line ending a part's headers.
    private func headerEnd(_ bytes: [UInt8]) -> Int? {
        if bytes.starts(with: [13, 10]) { return 2 }  // no headers at all
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    private mutating func deliver(_ data: [UInt8], to sink: inout Sink) throws {
        guard !data.isEmpty else { return }
        switch sink {
        case .field(let name, var bytes):
            guard bytes.count + data.count <= limits.maxFieldBytes else {
                throw FormError.tooLarge("field \(name) over \(limits.maxFieldBytes) bytes")
            }
            bytes += data
            sink = .field(name: name, bytes: bytes)
        case .file(let file):
            try file.append(data[...])
        }
    }

    private mutating func finish(_ sink: Sink) throws {
        if case .field(let name, let bytes) = sink {
            fields.append((name, String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// Reads a part's `Content-Disposition` and `Content-Type`.
    private mutating func makeSink(headers: [UInt8]) throws -> Sink {
        var name: String?
        var filename: String?
        var contentType = "application/octet-stream"
        let text = String(decoding: headers, as: UTF8.self)
        for line in text.split(separator: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw FormError.malformed("part header without colon") }
            let field = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            if field == "content-disposition" {
                let (kind, parameters) = parseHeaderParameters(value)
                guard kind.lowercased() == "form-data" else { throw FormError.malformed("part is not form-data") }
                name = parameters["name"]
                filename = parameters["filename"]
            } else if field == "content-type" {
                contentType = value
            }
        }
        guard let name else { throw FormError.malformed("part without a name") }
        guard let filename else { return .field(name: name, bytes: []) }
        let file = UploadedFile(fieldName: name, filename: filename, contentType: contentType,
                                threshold: limits.memoryThreshold, directory: limits.temporaryDirectory)
        files.append(file)
        return .file(file)
    }
}

/// `value; key=token; key="quoted"` as the value and its parameters
/// (keys lower-cased; quoted strings unescaped).
func parseHeaderParameters(_ header: String) -> (value: String, parameters: [String: String]) {
    var parameters: [String: String] = [:]
    var characters = Array(header)[...]
    func skipSpace() { while let first = characters.first, first == " " || first == "\t" { characters.removeFirst() } }
    var value = ""
    while let first = characters.first, first != ";" { value.append(characters.removeFirst()) }
    while !characters.isEmpty {
        characters.removeFirst()  // ";"
        skipSpace()
        var key = ""
        while let first = characters.first, first != "=", first != ";" { key.append(characters.removeFirst()) }
        guard characters.first == "=" else { continue }
        characters.removeFirst()
        skipSpace()
        var parameter = ""
        if characters.first == "\"" {
            characters.removeFirst()
            while let next = characters.popFirst(), next != "\"" {
                if next == "\\", let escaped = characters.popFirst() { parameter.append(escaped) } else { parameter.append(next) }
            }
            while let first = characters.first, first != ";" { characters.removeFirst() }
        } else {
            while let first = characters.first, first != ";" { parameter.append(characters.removeFirst()) }
        }
        parameters[key.trimmingWhitespace().lowercased()] = parameter.trimmingWhitespace()
    }
    return (value.trimmingWhitespace(), parameters)
}
