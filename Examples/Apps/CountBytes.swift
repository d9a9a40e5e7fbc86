import Gateway

/// Counts an upload's bytes as they arrive, then answers after a pause
/// that holds no thread (`gateway serve --app count`).
public let countBytes: AsyncApplication = { environ, startResponse in
    var total = 0
    for try await chunk in environ.input.chunks {  // the body, as it arrives
        total += chunk.count
    }
    try await Task.sleep(for: .milliseconds(10))  // a query, a call: awaited, no thread held
    try startResponse(.ok, [("Content-Type", "text/plain; charset=utf-8")])
    return ["\(total) bytes\n"]
}
