import Foundation
import Gateway
import GatewayHTTP
import GatewayProbe
import GatewayTesting
import GatewayTestSupport
import Testing

/// Every case of ``RequestTable`` against every backend and mode: the exact
/// status of a refusal (and the application not called, and the connection
/// closed), or the environ the application saw. A timeout is a failure.
@Suite("Conformance: request table")
struct RequestTableTests {
    @Test func theTableCoversEnough() {
        #expect(RequestTable.cases.count >= 80)
        #expect(Set(RequestTable.cases.map(\.name)).count == RequestTable.cases.count, "names are unique")
    }

    @Test(arguments: Backend.all)
    func everyServerAnswersTheTableAlike(backend: Backend) throws {
        // The probe's calls are counted in a file, so forked workers count too.
        let log = CallLog(path: temporaryPath("calls"))
        defer { unlink(log.path) }
        try backend.serve(log.counting(probeApp), environment: [CallLog.environmentKey: log.path]) { server in
            for testCase in RequestTable.cases {
                check(testCase, port: server.port, backend: backend.name, calls: log, streamsBodies: backend.streamsBodies)
            }
        }
    }

    /// Prefork (`gateway serve --processes 2`): the same answers from forked workers.
    @Test func preforkAnswersTheTableAlike() throws {
        let log = CallLog(path: temporaryPath("calls"))
        defer { unlink(log.path) }
        let server = try GatewayProcess(
            serve: ["--host", "127.0.0.1", "--port", "0", "--app", "probe", "--processes", "2", "--no-access-log"],
            environment: [CallLog.environmentKey: log.path])
        defer { server.stop() }
        for testCase in RequestTable.cases { check(testCase, port: server.port, backend: "prefork", calls: log) }
    }
}

/// Sends one case on a fresh connection and checks the answer, and how many
/// times the application behind `calls` ran for it: never for a refusal, once otherwise.
/// A server that `streamsBodies` to an async application has called it by
/// the time a body turns out malformed: its reads throw, and the answer is the same.
func check(_ testCase: RequestTable.Case, port: Int, backend: String, calls: CallLog, streamsBodies: Bool = false) {
    let label = "\(backend) / \(testCase.name)"
    let before = calls.count
    defer {
        let made = calls.count - before
        if case .refused = testCase.expected, streamsBodies && refusedAfterItsHead(testCase) {
            #expect(made <= 1, "\(label): the application was called \(made) times")
        } else if case .refused = testCase.expected {
            #expect(made == 0, "\(label): the application was called for a refused request")
        } else {
            #expect(made == 1, "\(label): the application was called \(made) times")
        }
    }
    do {
        let client = try TestHTTPClient(port: port, timeout: 5)
        defer { client.close() }
        try? client.send(Array(testCase.request.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))
        let isHead = testCase.request.hasPrefix("HEAD ")
        let response = try client.readResponse(method: isHead ? "HEAD" : "GET")
        switch testCase.expected {
        case .refused(let kind):
            let status = kind.status
            #expect(response.status == status, "\(label): \(response.status) \(response.text.prefix(200))")
            let text = ResponseStatus.plainBody(for: status)
            if isHead {  // the refusal's length, and no body (RFC 9110 §9.3.2)
                #expect(response.header("Content-Length") == String(text.utf8.count), "\(label): not the server's refusal")
            } else {
                #expect(response.text == text, "\(label): not the server's refusal")
            }
            // Then the server closes the connection, HEAD or not, with nothing after the answer.
            let rest: [UInt8]?
            do { rest = try client.readToEnd() } catch TestClientError.timedOut { rest = nil }
            #expect(rest != nil, "\(label): connection left open after a refusal")
            #expect(rest?.isEmpty != false, "\(label): \(rest?.count ?? 0) bytes after the answer (for a HEAD: a body)")
        case .app(let status):
            #expect(response.status == status, "\(label): \(response.status)")
        case .served(let entries, let body):
            guard response.status == 200 else {
                Issue.record("\(label): \(response.status) \(response.text.prefix(200))")
                return
            }
            let environ = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
            for (key, value) in entries {
                #expect(environ[key] as? String == value, "\(label): \(key) = \(String(describing: environ[key]))")
            }
            if let body { #expect(environ["body_length"] as? Int == body, "\(label): body_length \(String(describing: environ["body_length"]))") }
        }
    } catch {
        Issue.record("\(label): \(error)")
    }
}

extension RequestTableTests {
    /// `FUZZ_CORPUS=DIR swift test --filter writeFuzzCorpus` writes each case
    /// of the table (up to 8 KiB) as a seed for `make fuzz`; without the
    /// variable it does nothing.
    @Test func writeFuzzCorpus() throws {
        guard let directory = ProcessInfo.processInfo.environment["FUZZ_CORPUS"] else { return }
        for (index, testCase) in RequestTable.cases.enumerated() {
            let bytes = testCase.request.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            guard bytes.count <= 8192 else { continue }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/table-\(index)"))
        }
    }
}

/// Whether the parser takes the case's head whole before it refuses the
/// request (a malformed chunked body, say).
func refusedAfterItsHead(_ testCase: RequestTable.Case) -> Bool {
    var parser = RequestParser(limits: .init())
    let bytes = Array(testCase.request.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
    var offset = 0
    var sawHead = false
    while true {
        let (used, event) = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        offset += used
        switch event {
        case .head: sawHead = true
        case .body: continue
        case .refused: return sawHead
        case .needMore, .end: return false
        }
    }
}
