#if canImport(Glibc)
import Glibc
#endif
import Gateway

/// Counts an application's calls in a file, across processes: each call
/// appends one byte with one `O_APPEND` write, which the kernel keeps whole
/// between forked workers. A test reads the count back to show that a refused
/// request never reached the application of a prefork or fork-mode server,
/// where a counter in memory would stay in the worker.
///
/// `gateway serve --app probe` counts its calls this way when the environment
/// names a file in `PROBE_CALL_LOG`, and the chunks its `/stream` route
/// produced when it names one in `PROBE_STREAM_LOG` (a test then sees how
/// far a server pulled a generated body, in another process).
///
/// ```swift
/// let log = CallLog(path: "/tmp/calls")
/// let app = log.counting(probeApp)
/// // ... requests ...
/// print(log.count)
/// ```
public struct CallLog: Sendable {
    /// The environment variable `gateway serve --app probe` reads.
    public static let environmentKey = "PROBE_CALL_LOG"

    /// The file the calls go to.
    public let path: String

    /// A log in the file at `path` (created empty if missing).
    public init(path: String) {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
    }

    /// The log `PROBE_CALL_LOG` names, if any.
    public static var fromEnvironment: CallLog? {
        getenv(environmentKey).map { CallLog(path: String(cString: $0)) }
    }

    /// The environment variable naming the log of the probe's `/stream` chunks.
    public static let streamEnvironmentKey = "PROBE_STREAM_LOG"

    /// The log `PROBE_STREAM_LOG` names, if any.
    public static var streamFromEnvironment: CallLog? {
        getenv(streamEnvironmentKey).map { CallLog(path: String(cString: $0)) }
    }

    /// How many calls were logged so far.
    public var count: Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    /// The marks logged so far, in order (`.` for a call; other marks as recorded).
    public var marks: String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var text = ""
        while case let byte = getc(file), byte != EOF { text.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        return text
    }

    /// `app`, logging each call before it runs.
    public func counting(_ app: @escaping Application) -> Application {
        return { environ, startResponse in
            record()
            return try app(environ, startResponse)
        }
    }

    /// `app` (sync, async, or a choice), logging each call before it runs.
    public func counting(_ app: AnyApplication) -> AnyApplication {
        switch app {
        case .sync(let app): return .sync(counting(app))
        case .async(let app): return .async({ environ, startResponse in
            record()
            return try await app(environ, startResponse)
        })
        case .choosing(let choose): return .choosing { counting(choose($0)) }
        }
    }

    /// Logs one call (or another event, under another `mark`).
    public func record(_ mark: Character = ".") {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        if descriptor >= 0 {
            var byte = mark.asciiValue ?? UInt8(ascii: "?")
            _ = write(descriptor, &byte, 1)
            close(descriptor)
        }
    }
}
