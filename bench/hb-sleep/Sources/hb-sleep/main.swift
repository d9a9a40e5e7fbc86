// hb-sleep HOST PORT: Hummingbird 2 serving
//   GET /async/sleep?ms=N  awaits Task.sleep for N ms, answers "slept"
//   GET /hello             answers "Hello world!"
// with logging off (only critical messages). bench/async.py starts it.
import Hummingbird
import Logging

let arguments = CommandLine.arguments
let host = arguments.count > 1 ? arguments[1] : "127.0.0.1"
let port = arguments.count > 2 ? Int(arguments[2]) ?? 8080 : 8080

let router = Router()
router.get("hello") { _, _ -> String in
    "Hello world!\n"
}
router.get("async/sleep") { request, _ -> String in
    let ms = request.uri.queryParameters.get("ms", as: Int.self) ?? 0
    try await Task.sleep(for: .milliseconds(ms))
    return "slept"
}

var logger = Logger(label: "hb-sleep")
logger.logLevel = .critical
let app = Application(
    router: router,
    configuration: .init(address: .hostname(host, port: port), serverName: nil),
    logger: logger
)
try await app.runService()
