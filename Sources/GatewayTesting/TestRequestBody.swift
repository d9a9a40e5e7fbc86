import Foundation

/// A request body for ``TestClient``, with the `Content-Type` it implies.
///
/// ```swift
/// try client.post("/api/items", body: .json(["name": "lamp"]))
/// try client.post("/login", body: .form([("user", "ada"), ("password", "s3cret")]))
/// try client.post("/upload", body: .multipart([.file(name: "photo", filename: "a.png", contentType: "image/png", bytes)]))
/// ```
public enum TestRequestBody {
    /// No body.
    case empty
    /// Bytes as they are, with an optional content type.
    case bytes([UInt8], contentType: String? = nil)
    /// Text, UTF-8 encoded.
    case text(String, contentType: String = "text/plain; charset=utf-8")
    /// A value encoded with `JSONEncoder`: `application/json`.
    case json(any Encodable)
    /// Fields, `application/x-www-form-urlencoded` (spaces as `+`).
    case form([(String, String)])
    /// Fields and files, `multipart/form-data`.
    case multipart([MultipartField])
    /// Bytes in the pieces given: an async application's
    /// `environ.input.chunks` yields exactly these (a synchronous one reads
    /// them joined), as a body that arrives in bursts.
    ///
    /// ```swift
    /// try await client.post("/hash", body: .chunks([Array("ab".utf8), Array("cd".utf8)]))
    /// ```
    case chunks([[UInt8]], contentType: String? = nil)

    /// The bytes in their pieces (one piece unless ``chunks(_:contentType:)``)
    /// and the content type.
    func encodedPieces() throws -> (bytes: [[UInt8]], contentType: String?) {
        if case .chunks(let pieces, let contentType) = self { return (pieces.filter { !$0.isEmpty }, contentType) }
        let (bytes, contentType) = try encoded()
        return (bytes.isEmpty ? [] : [bytes], contentType)
    }

    /// The bytes and content type to send.
    func encoded() throws -> (bytes: [UInt8], contentType: String?) {
        switch self {
        case .chunks(let pieces, let contentType):
            return (pieces.flatMap { $0 }, contentType)
        case .empty:
            return ([], nil)
        case .bytes(let bytes, let contentType):
            return (bytes, contentType)
        case .text(let text, let contentType):
            return (Array(text.utf8), contentType)
        case .json(let value):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (Array(try encoder.encode(value)), "application/json")
        case .form(let fields):
            let text = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
            return (Array(text.utf8), "application/x-www-form-urlencoded")
        case .multipart(let fields):
            let boundary = "EventGatewayBoundary\(UInt64.random(in: 0...UInt64.max))"
            var bytes: [UInt8] = []
            for field in fields {
                var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(field.name))\""
                if let filename = field.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
                head += "\r\n"
                if let contentType = field.contentType { head += "Content-Type: \(contentType)\r\n" }
                head += "\r\n"
                bytes += Array(head.utf8) + field.bytes + Array("\r\n".utf8)
            }
            bytes += Array("--\(boundary)--\r\n".utf8)
            return (bytes, "multipart/form-data; boundary=\(boundary)")
        }
    }

    /// Percent-encodes for a form or query: unreserved bytes stay, space is `+`.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A name or filename inside a quoted header parameter.
    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}

/// One part of a `multipart/form-data` body.
public struct MultipartField {
    /// The form field's name (`Content-Disposition: form-data; name=...`).
    public var name: String
    /// The file name, for a file upload; nil for a plain field.
    public var filename: String?
    /// The part's `Content-Type`; nil sends none.
    public var contentType: String?
    /// The part's content.
    public var bytes: [UInt8]

    /// A field, or a file upload when `filename` is given.
    ///
    /// ```swift
    /// let upload = MultipartField(name: "file", filename: "a.txt", contentType: "text/plain", bytes: Array("hi".utf8))
    /// ```
    public init(name: String, filename: String? = nil, contentType: String? = nil, bytes: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }

    /// A plain form field.
    public static func field(_ name: String, _ value: String) -> MultipartField {
        MultipartField(name: name, bytes: Array(value.utf8))
    }

    /// A file upload.
    public static func file(name: String, filename: String, contentType: String = "application/octet-stream",
                            _ bytes: [UInt8]) -> MultipartField {
        MultipartField(name: name, filename: filename, contentType: contentType, bytes: bytes)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
