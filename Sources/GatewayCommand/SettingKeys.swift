/// The keys a settings file or a `GATEWAY_*` variable may set: the long
/// names of `serve`'s options and flags (both forms of each boolean:
/// `access-log`, `no-access-log`), for the "did you mean" of an unknown one.
enum SettingKeys {
    /// Read off `Serve`'s properties, named as ArgumentParser names their
    /// flags (`maxBodyBytes` is `--max-body-bytes`), so that a new flag is
    /// a key without a list to keep up to date.
    static let all: [String] = Mirror(reflecting: Serve()).children.flatMap { child -> [String] in
        guard let label = child.label?.drop(while: { $0 == "_" }), label != "config" else { return [] }
        let key = String(label.flatMap { $0.isUppercase ? ["-", Character($0.lowercased())] : [$0] })
        let isFlag = String(describing: type(of: child.value)).hasPrefix("Flag<")
        return isFlag ? [key, "no-" + key] : [key]
    }

    /// The key nearest to `key` by edit distance (a typo: one or two
    /// letters wrong, missing, extra or swapped), if one is that near.
    static func suggestion(for key: String) -> String? {
        let allowed = key.count <= 4 ? 1 : 2
        let nearest = all.map { (key: $0, distance: editDistance(key, $0)) }.min { $0.distance < $1.distance }
        guard let nearest, nearest.distance <= allowed else { return nil }
        return nearest.key
    }
}
