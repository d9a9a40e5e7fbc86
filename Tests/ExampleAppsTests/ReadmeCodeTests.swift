import Foundation
import GatewayTestSupport
import Testing

/// Every ```swift block of README.md is compiled: the package manifest is
/// resolved against this package, and every other block stands, as it is,
/// in a Swift file the package builds (so its imports are that file's).
/// The README's service is `MyService`; here it is Examples/ServiceEvent,
/// which is what its test's `@testable import` names instead.
@Suite("README code")
struct ReadmeCodeTests {
    static let readme = (try? String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    /// The text of each ```swift block.
    static var swiftBlocks: [String] {
        readme.components(separatedBy: "```swift\n").dropFirst().compactMap { $0.components(separatedBy: "```\n").first }
    }

    static func isManifest(_ block: String) -> Bool { block.hasPrefix("// swift-tools-version") }

    /// The Swift files `swift build --build-tests` compiles.
    static var compiledSources: [(path: String, text: String)] {
        ["Sources", "Examples", "Tests"].flatMap { folder -> [(path: String, text: String)] in
            let root = packageRoot.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
            return files.filter { $0.pathExtension == "swift" }.compactMap { url in
                (try? String(contentsOf: url, encoding: .utf8)).map { (url.path, $0) }
            }
        }
    }

    @Test func theREADMEHasItsBlocks() {
        #expect(Self.swiftBlocks.count >= 5)
        #expect(Self.swiftBlocks.filter(Self.isManifest).count == 1)
    }

    @Test func everyOtherBlockIsInACompiledFile() {
        let sources = Self.compiledSources
        for block in Self.swiftBlocks where !Self.isManifest(block) {
            let compiled = block.replacingOccurrences(of: "@testable import MyService\n", with: "@testable import ServiceEvent\n")
            #expect(sources.contains { $0.text.contains(compiled) }, "not in any compiled file:\n\(block)")
        }
    }

    /// Each relative link of the README and of docs/ leads to a file of the repository.
    @Test func theLinksLeadToFiles() throws {
        let pages = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("docs").path))
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        for page in pages {
            let url = packageRoot.appendingPathComponent(page)
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /\]\(([^)#:]+)\)/) {
                let target = url.deletingLastPathComponent().appendingPathComponent(String(match.1))
                #expect(FileManager.default.fileExists(atPath: target.path), "\(page) links to \(match.1)")
            }
        }
    }

    /// The manifest, in a package beside a folder named EventGateway that is
    /// this package, resolves: its `package: "EventGateway"` names the path
    /// dependency (`swift package show-dependencies` loads the whole graph).
    @Test(.timeLimit(.minutes(3))) func theManifestResolvesAsWritten() throws {
        let result = try Self.resolveManifest(folderName: "EventGateway")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("eventgateway<"), "\(result.output)")
    }

    /// What the README says of the folder's name: named otherwise, the same
    /// manifest does not resolve, and SwiftPM says why.
    @Test(.timeLimit(.minutes(3))) func aFolderNamedOtherwiseDoesNotResolve() throws {
        let result = try Self.resolveManifest(folderName: "eventgateway-main")
        #expect(result.status != 0)
        #expect(result.output.contains("unknown package 'EventGateway' in dependencies of target"), "\(result.output)")
    }

    /// Lays out the README's service (its manifest and blocks) beside a link
    /// named `folderName` to this package, and loads its package graph.
    static func resolveManifest(folderName: String) throws -> (status: Int32, output: String) {
        let manifest = try #require(swiftBlocks.first(where: isManifest))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("readme-service-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let service = work.appendingPathComponent("MyService")
        for (path, text) in [("Package.swift", manifest.replacingOccurrences(of: "../EventGateway", with: "../\(folderName)"))]
            + swiftBlocks.compactMap(sourceFile) {
            let url = service.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(at: work.appendingPathComponent(folderName), withDestinationURL: packageRoot)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", service.path, "show-dependencies"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A block that starts with its path (`// Sources/MyService/main.swift`) as a file.
    static func sourceFile(_ block: String) -> (String, String)? {
        guard block.hasPrefix("// "), let line = block.split(separator: "\n").first,
              line.hasSuffix(".swift"), !line.contains(" ", after: 3) else { return nil }
        return (String(line.dropFirst(3)), block)
    }
}

private extension Substring {
    /// Whether `character` occurs past the first `offset` characters.
    func contains(_ character: Character, after offset: Int) -> Bool { dropFirst(offset).contains(character) }
}
