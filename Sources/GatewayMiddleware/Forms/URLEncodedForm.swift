import Gateway
import GatewayHTTP

/// Parses a query string or an `application/x-www-form-urlencoded` body:
/// pairs split on `&` only (not `;`, as Python 3.10 settled), `+` as space,
/// percent escapes decoded as UTF-8. Pairs without `=` get an empty value;
/// empty pairs are skipped.
///
/// ```swift
/// parseQuery("a=1&b=x+y&a=2")   // [("a", "1"), ("b", "x y"), ("a", "2")]
/// ```
public func parseQuery(_ query: String) -> [(name: String, value: String)] {
    query.split(separator: "&").compactMap { pair in
        guard !pair.isEmpty else { return nil }
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (formDecoded(parts[0]), parts.count > 1 ? formDecoded(parts[1]) : "")
    }
}

/// `+` to space, then percent-decoding.
private func formDecoded(_ text: Substring) -> String {
    percentDecode(String(text.map { $0 == "+" ? " " : $0 }))
}
