import Gateway

/// `environ` with `matched`, the start of its `PATH_INFO`, moved to the end
/// of `SCRIPT_NAME` (wsgiref's `shift_path_info`, a whole prefix at once):
/// the mounted application sees its own paths, and `SCRIPT_NAME + PATH_INFO`
/// is still the request's path. `urlMap(_:)` and ``Router``'s mounts use it.
func shiftedEnviron(_ environ: Environ, matched: Substring, rest: Substring) -> Environ {
    var environ = environ
    environ["SCRIPT_NAME"] = (environ["SCRIPT_NAME"] ?? "") + matched
    environ["PATH_INFO"] = String(rest)
    return environ
}
