/// A parsed form: its fields in order (repeats kept) and its uploaded files.
/// Call ``close()`` when done (it deletes the files' temporary copies;
/// dropping the form does too).
///
/// ```swift
/// let form = try parseForm(environ)
/// defer { form.close() }
/// let name = form["name"] ?? ""
/// for file in form.files { print(file.fieldName, file.filename ?? "-", file.size) }
/// ```
public final class Form {
    /// Name and value of each field that is not a file, in order.
    public let fields: [(name: String, value: String)]
    /// The file parts, in order.
    public let files: [UploadedFile]

    /// A form with these fields and files, as `parseForm(_:limits:)` makes it (or a test does).
    public init(fields: [(name: String, value: String)], files: [UploadedFile] = []) {
        self.fields = fields
        self.files = files
    }

    deinit { close() }

    /// The first value of a field.
    public subscript(name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of a field, in order.
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Releases the files (temporary copies are deleted).
    public func close() {
        for file in files { file.close() }
    }
}
