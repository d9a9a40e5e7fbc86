import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per response, when the server is done with its body:
/// status, bytes of body sent and (in JSON) the time taken. Lines go to
/// `output`, or the request's `wsgi.errors` when nil.
///
/// A `FileWrapper` body is not wrapped, so the libevent server still sends
/// it with sendfile: its line is written when the application returns, with
/// the file's length and the time until then.
///
/// ```swift
/// let app = accessLog(format: .combined)(myApp)
/// let api = accessLog(format: .json)(asyncAPI)   // logged when its async body is closed
/// ```
public func accessLog(format: AccessLogFormat = .common, to output: (any ErrorOutput)? = nil) -> Middleware {
    Middleware(sync: { app in
        { environ, startResponse in
            let exchange = AccessLogExchange(environ, startResponse, format: format, output: output)
            let body: any ResponseBody
            do {
                body = try app(exchange.environ, exchange.startResponse)
            } catch {
                throw exchange.failed(error)
            }
            return exchange.watching(body)
        }
    }, async: { app in
        { environ, startResponse in
            let exchange = AccessLogExchange(environ, startResponse, format: format, output: output)
            let body: any ResponseBody
            do {
                body = try await app(exchange.environ, exchange.startResponse)
            } catch {
                throw exchange.failed(error)
            }
            return exchange.watching(body)
        }
    })
}

/// One request through ``accessLog(format:to:)``: the environ and
/// start_response the application gets, and its body watched for the line.
private struct AccessLogExchange {
    let environ: Environ
    let startResponse: StartResponse
    private let record: AccessRecord
    private let log: (Int) -> Void

    init(_ environ: Environ, _ startResponse: StartResponse, format: AccessLogFormat, output: (any ErrorOutput)?) {
        let started = MonotonicClock.preciseSeconds()
        let record = AccessRecord()
        var environ = environ
        // Middleware further in (basicAuth) reports the user through it.
        environ.extras[AccessRecord.environKey] = record
        self.log = { [environ] (bytes: Int) in
            var environ = environ
            if let user = record.user { environ["REMOTE_USER"] = user }
            let line = accessLogLine(format: format, environ: environ, status: record.status,
                                     bytes: bytes, seconds: MonotonicClock.preciseSeconds() - started)
            (output ?? environ.errors).write(line)
        }
        self.environ = environ
        self.record = record
        self.startResponse = StartResponse { status, headers, excInfo in
            record.status = Int(status.prefix(3)) ?? 0
            return try startResponse(status, headers, excInfo: excInfo)
        }
    }

    /// The application threw: the server answers with its 500 page.
    func failed(_ error: any Error) -> any Error {
        record.status = 500
        log(0)
        return error
    }

    /// The body, counted as it goes out and logged when it is closed.
    func watching(_ body: any ResponseBody) -> any ResponseBody {
        let sendsBody = environ["REQUEST_METHOD"] != "HEAD" && record.status != 304 && record.status != 204
        if let file = body as? FileWrapper {
            log(sendsBody ? file.remainingLength ?? 0 : 0)
            return file
        }
        let once = Once()
        let record = record, log = log
        return wrapBody(body, keepsChunkCount: true, transform: { chunk in
            if let chunk, sendsBody { record.bytes += chunk.count }
            return chunk
        }, onClose: { once.run { log(record.bytes) } })
    }
}

func accessLogLine(format: AccessLogFormat, environ: Environ, status: Int, bytes: Int, seconds: Double) -> String {
    let remote = environ["REMOTE_ADDR"] ?? "-"
    let user = environ["REMOTE_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "-"
    switch format {
    case .common, .combined:
        var line = "\(remote) - \(logSafe(user)) [\(HTTPDate.commonLogTimestamp())] \"\(environ.requestLine)\" \(status) \(bytes == 0 ? "-" : String(bytes))"
        if format == .combined {
            line += " \"\(logSafe(environ["HTTP_REFERER"] ?? "-"))\" \"\(logSafe(environ["HTTP_USER_AGENT"] ?? "-"))\""
        }
        return line + "\n"
    case .json:
        var fields: [(String, String)] = [
            ("time", jsonString(HTTPDate.now())), ("remote_addr", jsonString(remote)),
            ("user", jsonString(user)), ("method", jsonString(environ["REQUEST_METHOD"] ?? "-")),
            ("path", jsonString((environ["SCRIPT_NAME"] ?? "") + (environ["PATH_INFO"] ?? ""))),
            ("query", jsonString(environ["QUERY_STRING"] ?? "")),
            ("protocol", jsonString(environ["SERVER_PROTOCOL"] ?? "-")),
            ("status", String(status)), ("bytes", String(bytes)),
            ("duration_ms", String(Double(Int(seconds * 1_000_000)) / 1000)),
        ]
        if let id = environ.extras[requestIDKey] as? String { fields.append(("request_id", jsonString(id))) }
        if let agent = environ["HTTP_USER_AGENT"] { fields.append(("user_agent", jsonString(agent))) }
        if let referer = environ["HTTP_REFERER"] { fields.append(("referer", jsonString(referer))) }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }
}

/// A field for a quoted CLF slot: quotes, backslashes and control bytes escaped.
private func logSafe(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\x" + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
