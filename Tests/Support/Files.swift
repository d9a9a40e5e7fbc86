import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp, removed by the caller.
package func makeTemporaryFolder(_ tag: String) throws -> String {
    let path = "/tmp/eventgateway-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A fresh path under /tmp for a file or socket of this test, not created.
package func temporaryPath(_ tag: String, suffix: String = "") -> String {
    "/tmp/eventgateway-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(suffix)"
}

package func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Text that compresses well and is `count` bytes long.
package func compressibleText(_ count: Int) -> String {
    let line = "The quick brown fox jumps over the lazy dog. 0123456789\n"
    return String(String(repeating: line, count: count / line.utf8.count + 1).prefix(count))
}
