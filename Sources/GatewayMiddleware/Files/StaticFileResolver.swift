import Gateway
import GatewayHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Maps a request path to a file under a root folder, refusing every path
/// that could leave it. The one place where static file containment lives.
struct StaticFileResolver: Sendable {
    enum Resolution: Equatable {
        /// A regular file inside the root, by its real path.
        case file(String)
        /// A folder with an index file, asked for without the trailing slash.
        case folder
        /// Nothing there: the wrapped application's turn.
        case miss
        /// A traversal attempt or a link out of the root: 404, nobody else asked.
        case refused
    }

    let root: String

    init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    func resolve(_ pathInfo: String, indexFile: String) -> Resolution {
        guard !pathInfo.utf8.contains(0), !pathInfo.contains("\\") else { return .refused }
        let segments = pathInfo.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments {
            // PATH_INFO is decoded once by the server; a segment that decodes
            // to a dot-segment again (%2e%2e sent as %252e%252e) is refused too,
            // in case something behind us decodes twice.
            let decoded = foldingOverlongDots(percentDecode(String(segment)))
            let plain = foldingOverlongDots(String(segment))
            if plain == ".." || plain.contains("/") || decoded == ".." || decoded == "." || decoded.contains("/") || decoded.contains("\\") {
                return .refused
            }
        }
        guard let realRoot = realPath(root) else { return .miss }
        let candidate = root + "/" + segments.joined(separator: "/")
        guard let real = realPath(candidate) else { return .miss }
        guard real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else { return .refused }
        var info = stat()
        guard stat(real, &info) == 0 else { return .miss }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return pathInfo.hasSuffix("/") ? .miss : .file(real)
        case S_IFDIR:
            let index = real + "/" + indexFile
            guard let realIndex = realPath(index), realIndex.hasPrefix(realRoot + "/") || realRoot == "/",
                  stat(realIndex, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG
            else { return .miss }
            return pathInfo.hasSuffix("/") ? .file(realIndex) : .folder
        default:
            return .miss
        }
    }

    private func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Overlong UTF-8 forms of `.` and `/` (`%c0%ae`, `%e0%80%ae`, `%c0%af`...),
/// which servers hand over as Latin-1 characters, folded to what a lax UTF-8
/// decoder behind us would read.
private func foldingOverlongDots(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.value >= 0xC0 && $0.value <= 0xF0 }) else { return text }
    var result = text
    for (overlong, plain) in [("\u{F0}\u{80}\u{80}\u{AE}", "."), ("\u{E0}\u{80}\u{AE}", "."), ("\u{C0}\u{AE}", "."),
                              ("\u{F0}\u{80}\u{80}\u{AF}", "/"), ("\u{E0}\u{80}\u{AF}", "/"), ("\u{C0}\u{AF}", "/")] {
        result = result.replacing(overlong, with: plain)
    }
    return result
}
