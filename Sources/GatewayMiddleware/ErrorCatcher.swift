import Gateway

/// Turns an application's error into an error page instead of the server's
/// bare 500: a short HTML page, with the error's description and type only
/// when `debug` is on (never otherwise: error texts may hold secrets). The
/// error is always logged to `wsgi.errors` with the request line. An
/// ``HTTPError`` gets its own status and message. Errors after the headers
/// went out are rethrown (the server then cuts the connection).
///
/// Put it outside ``gzip(_:)`` so errors there are caught too:
///
/// ```swift
/// let app = stack(accessLog(), catchErrors(debug: false), gzip(), app: myApp)
/// ```
///
/// An async application is caught the same way, its body while it is
/// awaited; a `CancellationError` (the client left) is not answered.
public func catchErrors(debug: Bool = false) -> Middleware {
    Middleware(sync: { app in
        { environ, startResponse in
            let page = ErrorPage(environ: environ, debug: debug, startResponse: startResponse)
            let body: any ResponseBody
            do {
                body = try app(environ, startResponse)
            } catch {
                return try page.answer(error)
            }
            return page.catching(body)
        }
    }, async: { app in
        { environ, startResponse in
            let page = ErrorPage(environ: environ, debug: debug, startResponse: startResponse)
            let body: any ResponseBody
            do {
                body = try await app(environ, startResponse)
            } catch {
                // A task cancelled because its client left: nobody to show a page to.
                if error is CancellationError { throw error }
                return try page.answer(error)
            }
            return page.catching(body)
        }
    })
}

/// Writes the error response for one request.
private struct ErrorPage {
    let environ: Environ
    let debug: Bool
    let startResponse: StartResponse

    /// The body passed through, an error before its first non-empty chunk answered.
    func catching(_ body: any ResponseBody) -> any ResponseBody {
        if let stream = body as? any AsyncResponseBody { return AsyncErrorCatchingBody(wrapped: stream, page: self) }
        return ErrorCatchingBody(wrapped: body, page: self)
    }

    func answer(_ error: any Error) throws -> [[UInt8]] {
        let code: Int, title: String, detail: String?
        if let http = error as? any HTTPError {
            code = http.status
            title = ResponseStatus.reasonPhrase(for: code)
            detail = http.message
        } else {
            environ.errors.write("EventGateway: error in application for \(environ.requestLine): \(error)\n")
            code = 500
            title = "Internal Server Error"
            detail = debug ? "\(type(of: error)): \(error)" : nil
        }
        var html = "<!DOCTYPE html>\n<html><head><title>\(code) \(title)</title></head><body>\n<h1>\(title)</h1>\n"
        html += detail.map { "<pre>\(htmlEscaped($0))</pre>\n" } ?? "<p>The server could not complete the request.</p>\n"
        html += "</body></html>\n"
        let bytes = Array(html.utf8)
        // excInfo: replaces headers the application set, or rethrows once bytes are out.
        try startResponse("\(code) \(title)", [
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", String(bytes.count)),
        ], excInfo: error)
        return [bytes]
    }
}

/// Passes a body through; an error before its first non-empty chunk becomes
/// the error page (the server has sent nothing yet), a later one goes on.
private struct ErrorCatchingBody: ResponseBody {
    let wrapped: any ResponseBody
    let page: ErrorPage

    var chunkCount: Int? { wrapped.chunkCount }

    func makeChunkIterator() -> any ChunkIterator {
        Iterator(inner: wrapped.makeChunkIterator(), page: page)
    }

    func close() { wrapped.close() }

    private struct Iterator: ChunkIterator {
        var inner: any ChunkIterator
        let page: ErrorPage
        var started = false
        var replacement: [[UInt8]]?

        mutating func next() throws -> [UInt8]? {
            if replacement != nil { return replacement!.popLast() }
            do {
                let chunk = try inner.next()
                if let chunk, !chunk.isEmpty { started = true }
                return chunk
            } catch {
                guard !started else { throw error }
                replacement = try page.answer(error)
                return replacement!.popLast()
            }
        }
    }
}

/// ``ErrorCatchingBody`` for an async body: chunks awaited, the same rule.
private struct AsyncErrorCatchingBody: AsyncResponseBody {
    let wrapped: any AsyncResponseBody
    let page: ErrorPage
    private let once = Once()

    var chunkCount: Int? { wrapped.chunkCount }

    func makeAsyncChunkIterator() -> any AsyncChunkIterator {
        Iterator(inner: wrapped.makeAsyncChunkIterator(), page: page)
    }

    /// For a synchronous server path only: the blocking form, caught the same way.
    func makeChunkIterator() -> any ChunkIterator {
        ErrorCatchingBody(wrapped: wrapped, page: page).makeChunkIterator()
    }

    func close() { once.run { wrapped.close() } }

    private struct Iterator: AsyncChunkIterator {
        var inner: any AsyncChunkIterator
        let page: ErrorPage
        var started = false
        var replacement: [[UInt8]]?

        mutating func next() async throws -> [UInt8]? {
            if replacement != nil { return replacement!.popLast() }
            do {
                let chunk = try await inner.next()
                if let chunk, !chunk.isEmpty { started = true }
                return chunk
            } catch {
                guard !started, !(error is CancellationError) else { throw error }
                replacement = try page.answer(error)
                return replacement!.popLast()
            }
        }
    }
}

/// Text made safe inside HTML.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
