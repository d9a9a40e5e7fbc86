import Gateway
import GatewayMiddleware
import GatewayProbe

/// A form with a file field (`gateway serve --app upload`): GET shows the
/// form, POST answers with each field and, for files, the name the client
/// gave, the size and the SHA-256. Limits of ``FormLimits`` apply (413, 400).
///
/// ```sh
/// curl -F note=hi -F file=@photo.jpg http://127.0.0.1:8000/
/// ```
public func uploadApp(limits: FormLimits = FormLimits()) -> Application {
    return { environ, startResponse in
        let method = environ["REQUEST_METHOD"] ?? "GET"
        switch method {
        case "GET", "HEAD":
            try startResponse("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [uploadPage]
        case "POST":
            let form: Form
            do {
                form = try parseForm(environ, limits: limits)
            } catch let error as FormError {
                try startResponse("\(error.status) \(ResponseStatus.reasonPhrase(for: error.status))",
                                  [("Content-Type", "text/plain; charset=utf-8")])
                return [error.message + "\n"]
            }
            defer { form.close() }
            var lines: [String] = []
            for field in form.fields {
                lines.append("field \(field.name) = \(field.value)")
            }
            for file in form.files {
                var digest = SHA256()
                try file.forEachBlock { digest.update(Array($0)) }
                let name = (file.filename ?? "").unicodeScalars.map { $0.value < 0x20 ? "?" : String($0) }.joined()
                lines.append("file \(file.fieldName): name=\(name) size=\(file.size) sha256=\(digest.hexDigest())")
            }
            try startResponse("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [lines.map { $0 + "\n" }.joined()]
        default:
            try startResponse("405 Method Not Allowed", [("Allow", "GET, HEAD, POST"), ("Content-Type", "text/plain; charset=utf-8")])
            return ["method not allowed\n"]
        }
    }
}

private let uploadPage = """
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Upload</title></head><body>
<h1>Upload a file</h1>
<form method="post" enctype="multipart/form-data">
<p><label>Note <input name="note"></label></p>
<p><label>File <input type="file" name="file"></label></p>
<p><button type="submit">Send</button></p>
</form>
</body></html>

"""
