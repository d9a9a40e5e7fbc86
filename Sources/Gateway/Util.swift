// wsgiref.util, in Swift: small helpers over an environ.

/// wsgiref.util.guess_scheme: "https" when the `HTTPS` variable is `yes`,
/// `on` or `1`, else "http".
///
/// ```swift
/// environ["HTTPS"] = "on"
/// guessScheme(environ)   // "https"
/// ```
public func guessScheme(_ environ: Environ) -> String {
    ["yes", "on", "1"].contains(environ["HTTPS"] ?? "") ? "https" : "http"
}

/// wsgiref.util.application_uri: the URL of the application's root, from
/// `HTTP_HOST` (or `SERVER_NAME` and a non-default `SERVER_PORT`) and
/// `SCRIPT_NAME`.
///
/// ```swift
/// applicationURI(environ)   // "http://127.0.0.1/spam"
/// ```
public func applicationURI(_ environ: Environ) -> String {
    var url = environ.urlScheme + "://"
    if let host = environ["HTTP_HOST"], !host.isEmpty {
        url += host
    } else {
        url += environ["SERVER_NAME"] ?? ""
        let port = environ["SERVER_PORT"] ?? ""
        let defaultPort = environ.urlScheme == "https" ? "443" : "80"
        if port != defaultPort { url += ":" + port }
    }
    let script = environ["SCRIPT_NAME"] ?? ""
    url += urlQuote(script.isEmpty ? "/" : script, safe: "/")
    return url
}

/// wsgiref.util.request_uri: the full URL of the request, the query
/// included unless `includeQuery` is false.
///
/// ```swift
/// requestURI(environ)                       // "http://127.0.0.1/spammity/spam?say=ni"
/// requestURI(environ, includeQuery: false)  // "http://127.0.0.1/spammity/spam"
/// ```
public func requestURI(_ environ: Environ, includeQuery: Bool = true) -> String {
    var url = applicationURI(environ)
    let path = urlQuote(environ["PATH_INFO"] ?? "", safe: "/;=,")
    if (environ["SCRIPT_NAME"] ?? "").isEmpty {
        url += path.dropFirst()
    } else {
        url += path
    }
    if includeQuery, let query = environ["QUERY_STRING"], !query.isEmpty {
        url += "?" + query
    }
    return url
}

/// wsgiref.util.shift_path_info: moves one segment from `PATH_INFO` to the
/// end of `SCRIPT_NAME` and returns it; nil when `PATH_INFO` is empty. `.`
/// and empty segments inside the path are dropped, as wsgiref does.
///
/// ```swift
/// // SCRIPT_NAME "/a", PATH_INFO "/x/y"
/// shiftPathInfo(&environ)   // "x"; now SCRIPT_NAME "/a/x", PATH_INFO "/y"
/// ```
@discardableResult
public func shiftPathInfo(_ environ: inout Environ) -> String? {
    let pathInfo = environ["PATH_INFO"] ?? ""
    guard !pathInfo.isEmpty else { return nil }
    var parts = pathInfo.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if parts.count > 2 {
        let middle = parts[1..<(parts.count - 1)].filter { !$0.isEmpty && $0 != "." }
        parts = [parts[0]] + middle + [parts[parts.count - 1]]
    }
    let name = parts.count > 1 ? parts.remove(at: 1) : ""

    var scriptName = normalizePath((environ["SCRIPT_NAME"] ?? "") + "/" + name)
    if scriptName.hasSuffix("/") { scriptName.removeLast() }
    if name.isEmpty && !scriptName.hasSuffix("/") { scriptName += "/" }
    environ["SCRIPT_NAME"] = scriptName
    environ["PATH_INFO"] = parts.joined(separator: "/")
    return name == "." ? nil : name
}

/// wsgiref.util.setup_testing_defaults: fills in what a test environ lacks,
/// so an application can be called without a server.
///
/// ```swift
/// var environ = Environ()
/// setupTestingDefaults(&environ)
/// environ["REQUEST_METHOD"]   // "GET"
/// ```
public func setupTestingDefaults(_ environ: inout Environ) {
    func setDefault(_ key: String, _ value: String) {
        if environ.variables[key] == nil { environ.variables[key] = value }
    }
    setDefault("SERVER_NAME", "127.0.0.1")
    setDefault("SERVER_PROTOCOL", "HTTP/1.0")
    setDefault("HTTP_HOST", environ.variables["SERVER_NAME"]!)
    setDefault("REQUEST_METHOD", "GET")
    if environ.variables["SCRIPT_NAME"] == nil && environ.variables["PATH_INFO"] == nil {
        environ.variables["SCRIPT_NAME"] = ""
        environ.variables["PATH_INFO"] = "/"
    }
    environ.urlScheme = guessScheme(environ)
    setDefault("SERVER_PORT", environ.urlScheme == "https" ? "443" : "80")
}

/// Python's posixpath.normpath: folds `//`, `.` and `..`; keeps a leading
/// `//` (POSIX gives it a meaning of its own); "" becomes ".".
func normalizePath(_ path: String) -> String {
    guard !path.isEmpty else { return "." }
    let leading = path.hasPrefix("//") && !path.hasPrefix("///") ? 2 : path.hasPrefix("/") ? 1 : 0
    var parts: [Substring] = []
    for part in path.split(separator: "/") where part != "." {
        if part == "..", let last = parts.last, last != ".." {
            parts.removeLast()
        } else if part == "..", leading > 0 {
            continue
        } else {
            parts.append(part)
        }
    }
    let result = String(repeating: "/", count: leading) + parts.joined(separator: "/")
    return result.isEmpty ? "." : result
}

/// Python's urllib.parse.quote over UTF-8: percent-encodes every byte but
/// letters, digits, `_.-~` and `safe`.
public func urlQuote(_ text: String, safe: String = "/") -> String {
    let safeBytes = Set(safe.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in text.utf8 {
        let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || "_.-~".utf8.contains(byte) || safeBytes.contains(byte)
        if plain {
            out.append(byte)
        } else {
            out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}
