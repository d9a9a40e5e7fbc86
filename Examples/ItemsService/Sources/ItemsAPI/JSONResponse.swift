import Foundation
import Gateway

/// Starts a response with `status` ("200 OK") and returns `value` as its JSON body.
func jsonResponse(
    _ startResponse: StartResponse, _ status: String, _ value: some Encodable, headers: [(String, String)] = []
) throws -> any ResponseBody {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let body = try encoder.encode(value)
    try startResponse(status, [("Content-Type", "application/json")] + headers)
    return [Array(body)]
}

/// An error answer: `{"error": "..."}`.
func jsonError(_ startResponse: StartResponse, _ status: String, _ message: String, headers: [(String, String)] = []) throws -> any ResponseBody {
    try jsonResponse(startResponse, status, ["error": message], headers: headers)
}
